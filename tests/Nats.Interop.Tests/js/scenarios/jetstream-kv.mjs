// JetStream as nats.js users drive it: a stream with publish acks and a pull consumer, then a
// KV bucket: put, get, update with the expected revision (and a stale one refused), history,
// a watch that sees an update, delete, keys. Reports what it observed.
import { connect, StringCodec, AckPolicy } from "nats";
import { serverList, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const nc = await connect({ servers, name: "js-jetstream-kv" });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();

  await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
  const acks = [];
  for (let i = 1; i <= 5; i++) {
    const pa = await js.publish(`orders.${i}`, sc.encode(`order ${i}`));
    acks.push({ stream: pa.stream, seq: pa.seq, duplicate: pa.duplicate });
  }
  progress.acks = acks;
  await jsm.consumers.add("ORDERS", { durable_name: "worker", ack_policy: AckPolicy.Explicit });
  const consumer = await js.consumers.get("ORDERS", "worker");
  const fetched = [];
  const batch = await consumer.fetch({ max_messages: 5, expires: 5000 });
  for await (const m of batch) {
    fetched.push({ subject: m.subject, data: sc.decode(m.data), seq: m.seq });
    m.ack();
    if (fetched.length === 5) break;
  }
  progress.fetched = fetched;

  const kv = await js.views.kv("interop", { history: 5 });
  const r1 = await kv.put("color", sc.encode("red"));
  const r2 = await kv.put("color", sc.encode("green"));
  await kv.put("size", sc.encode("xl"));
  const got = await kv.get("color");
  const old = await kv.get("color", { revision: r1 });
  const r4 = await kv.update("color", sc.encode("blue"), r2);
  let staleUpdate = "accepted";
  try {
    await kv.update("color", sc.encode("pink"), r2);
  } catch (err) {
    staleUpdate = err.message;
  }

  const history = [];
  for await (const e of await kv.history({ key: "color" })) history.push(sc.decode(e.value));

  const watched = [];
  const watch = await kv.watch({ key: "color" });
  const watching = (async () => {
    for await (const e of watch) {
      watched.push({ key: e.key, value: sc.decode(e.value), op: e.operation });
      if (watched.length === 2) break;
    }
  })();
  await waitFor(() => watched.length >= 1, 10000, "the watch's current value");
  await kv.put("color", sc.encode("black"));
  await watching;

  await kv.delete("size");
  const deleted = await kv.get("size");
  const keys = [];
  for await (const k of await kv.keys()) keys.push(k);

  await nc.close();
  return {
    acks,
    fetched,
    kv: {
      got: { value: sc.decode(got.value), revision: got.revision, r2 },
      old: sc.decode(old.value),
      r4,
      staleUpdate,
      history,
      watched,
      deleted: deleted ? deleted.operation : null,
      keys: keys.sort(),
    },
  };
}
