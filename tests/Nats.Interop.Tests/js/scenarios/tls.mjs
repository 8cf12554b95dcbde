// A client trusting the test CA connects over TLS and exchanges messages; a client that does
// not trust it is refused, which proves the session really was TLS-verified.
import { connect, StringCodec } from "nats";
import { serverList, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const count = Number(args.count ?? 10);

  const nc = await connect({ servers, name: "js-tls", tls: { caFile: args.ca_file } });
  progress.server_tls_required = nc.info?.tls_required === true;
  let received = 0;
  nc.subscribe("interop.tls", { callback: () => received++ });
  await nc.flush();
  for (let i = 0; i < count; i++) nc.publish("interop.tls", sc.encode(`secure-${i}`));
  await nc.flush();
  await waitFor(() => received >= count, 5000, `${count} messages over TLS`);
  await nc.close();

  let untrustedError = null;
  try {
    const untrusted = await connect({ servers, name: "js-tls-untrusted", reconnect: false, tls: {} });
    await untrusted.close();
  } catch (err) {
    untrustedError = err.message;
  }

  return { server_tls_required: progress.server_tls_required, received, untrusted_error: untrustedError };
}
