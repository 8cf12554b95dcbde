// 1000 (count=) messages from one connection to a subscriber on another: all must arrive,
// in publish order, byte-for-byte.
import { connect, StringCodec } from "nats";
import { serverList, payloadFor, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const count = Number(args.count ?? 1000);
  const subject = args.subject ?? "interop.pubsub";

  const subConn = await connect({ servers, name: "js-pubsub-sub" });
  const pubConn = await connect({ servers, name: "js-pubsub-pub" });

  Object.assign(progress, { received: 0, out_of_order: 0, bad_payloads: 0, first_problem: null });
  let expectedIndex = 0;
  subConn.subscribe(subject, {
    callback: (err, msg) => {
      if (err) throw err;
      const text = sc.decode(msg.data);
      const index = Number(text.slice(0, text.indexOf(":")));
      if (index !== expectedIndex) {
        progress.out_of_order++;
        progress.first_problem ??= `expected index ${expectedIndex}, got ${index}`;
      }
      if (text !== payloadFor(index)) {
        progress.bad_payloads++;
        progress.first_problem ??= `payload mismatch at index ${index} (length ${text.length})`;
      }
      expectedIndex = index + 1;
      progress.received++;
    },
  });
  // The subscription must be registered on the server before the first publish.
  await subConn.flush();

  for (let i = 0; i < count; i++) pubConn.publish(subject, sc.encode(payloadFor(i)));
  await pubConn.flush();
  await waitFor(() => progress.received >= count, 15000, `${count} messages (have ${progress.received})`);
  // One more round trip so duplicates, if the server sent any, are counted too.
  await subConn.flush();

  await pubConn.close();
  await subConn.close();
  return { ...progress };
}
