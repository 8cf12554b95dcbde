// Messages with headers (one key carrying several values, one header-only message with an
// empty payload) arrive with every header value intact and in order.
import { connect, headers, StringCodec } from "nats";
import { serverList, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const subject = "interop.headers";

  const subConn = await connect({ servers, name: "js-headers-sub" });
  const pubConn = await connect({ servers, name: "js-headers-pub" });

  const messages = [];
  progress.messages = messages;
  subConn.subscribe(subject, {
    callback: (err, msg) => {
      if (err) throw err;
      const hdrs = {};
      if (msg.headers) for (const key of msg.headers.keys()) hdrs[key] = msg.headers.values(key);
      messages.push({ payload: sc.decode(msg.data), headers: hdrs });
    },
  });
  await subConn.flush();

  const first = headers();
  first.append("X-Multi", "one");
  first.append("X-Multi", "two");
  first.append("X-Multi", "three");
  first.append("X-Single", "a value with spaces");
  pubConn.publish(subject, sc.encode("with-headers"), { headers: first });

  const second = headers();
  second.append("X-Only", "1");
  pubConn.publish(subject, new Uint8Array(0), { headers: second });
  await pubConn.flush();

  await waitFor(() => messages.length >= 2, 10000, "2 messages with headers");
  await pubConn.close();
  await subConn.close();
  return { messages };
}
