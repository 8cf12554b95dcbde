// mode=token|user|nkey|creds: the right credentials connect and carry a message; wrong or missing
// credentials are refused with the server's "Authorization Violation". creds: a creds file (user
// JWT and seed, as nsc writes it) read with credsAuthenticator.
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, nkeyAuthenticator, StringCodec } from "nats";
import { serverList, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

function credentials(args, bad) {
  switch (args.mode) {
    case "token":
      return { token: bad ? args.bad_token : args.token };
    case "user":
      return { user: args.user, pass: bad ? args.bad_pass : args.pass };
    case "nkey": {
      const seed = readFileSync(bad ? args.bad_nkey_seed_file : args.nkey_seed_file, "utf8").trim();
      return { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) };
    }
    case "creds":
      return { authenticator: credsAuthenticator(readFileSync(bad ? args.bad_creds_file : args.creds_file)) };
    default:
      throw new Error(`unknown mode '${args.mode}'`);
  }
}

/** Error message of a connect that is expected to fail, or null if it unexpectedly worked. */
async function refusal(servers, opts) {
  try {
    const nc = await connect({ servers, reconnect: false, ...opts });
    await nc.close();
    return null;
  } catch (err) {
    return err.message;
  }
}

export async function run(args, progress) {
  const servers = serverList(args.servers);

  const nc = await connect({ servers, name: "js-auth-good", ...credentials(args, false) });
  progress.good_connected = true;
  let received = 0;
  nc.subscribe("interop.auth", { callback: () => received++ });
  await nc.flush();
  nc.publish("interop.auth", sc.encode("hello"));
  await waitFor(() => received === 1, 5000, "a message on the authenticated connection");
  await nc.close();

  return {
    good_connected: true,
    good_roundtrip: received === 1,
    bad_error: await refusal(servers, { name: "js-auth-bad", ...credentials(args, true) }),
    none_error: await refusal(servers, { name: "js-auth-none" }),
  };
}
