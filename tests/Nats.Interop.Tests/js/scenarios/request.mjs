// A responder on one connection answers 100 (count=) requests from another connection; the
// requests are in flight concurrently, so replies must be routed back to the right requester.
import { connect, StringCodec } from "nats";
import { serverList } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const count = Number(args.count ?? 100);
  const subject = "interop.echo";

  const responder = await connect({ servers, name: "js-request-responder" });
  const requester = await connect({ servers, name: "js-request-requester" });

  responder.subscribe(subject, {
    callback: (err, msg) => {
      if (err) throw err;
      msg.respond(sc.encode(`reply:${sc.decode(msg.data)}`));
    },
  });
  await responder.flush();

  Object.assign(progress, { replies_ok: 0, replies_bad: 0, errors: 0, first_problem: null });
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        const reply = await requester.request(subject, sc.encode(`req-${i}`), { timeout: 5000 });
        const text = sc.decode(reply.data);
        if (text === `reply:req-${i}`) progress.replies_ok++;
        else {
          progress.replies_bad++;
          progress.first_problem ??= `request ${i} got '${text}'`;
        }
      } catch (err) {
        progress.errors++;
        progress.first_problem ??= `request ${i}: ${err.message}`;
      }
    }),
  );

  await requester.close();
  await responder.close();
  return { ...progress };
}
