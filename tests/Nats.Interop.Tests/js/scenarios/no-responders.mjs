// A request to a subject nobody subscribes to must fail at once with the no-responders error
// (the server answers with a 503 status), well before the request's own timeout.
import { connect, ErrorCode, StringCodec } from "nats";
import { serverList } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args) {
  const servers = serverList(args.servers);
  const requestTimeoutMs = Number(args.request_timeout_ms ?? 5000);
  const nc = await connect({ servers, name: "js-no-responders" });

  const started = Date.now();
  let result;
  try {
    const reply = await nc.request("interop.nobody.home", sc.encode("anyone?"), { timeout: requestTimeoutMs });
    result = { no_responders: false, got_reply: true, error_message: null, reply: sc.decode(reply.data) };
  } catch (err) {
    result = { no_responders: err.code === ErrorCode.NoResponders, got_reply: false, error_message: `${err.message} [code ${err.code}]` };
  }
  result.elapsed_ms = Date.now() - started;
  result.request_timeout_ms = requestTimeoutMs;

  await nc.close();
  return result;
}
