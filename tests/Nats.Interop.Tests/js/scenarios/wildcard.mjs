// Subscriptions with '*' and '>' wildcards each receive exactly the subjects they match,
// in publish order.
import { connect, Empty } from "nats";
import { serverList, waitFor } from "../lib/harness.mjs";

// Kept identical to the C scenario (c/wildcard.c); the NUnit test holds the expected lists.
const PUBLISHED = ["wc.a", "wc.a.b", "wc.b", "wc", "other.a", "wc.a.baz", "wc.end", "wc.end.baz"];

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const subConn = await connect({ servers, name: "js-wildcard-sub" });
  const pubConn = await connect({ servers, name: "js-wildcard-pub" });

  const got = { star: [], gt: [], star_baz: [] };
  Object.assign(progress, got);
  const collect = (list) => (err, msg) => {
    if (err) throw err;
    list.push(msg.subject);
  };
  subConn.subscribe("wc.*", { callback: collect(got.star) });
  subConn.subscribe("wc.>", { callback: collect(got.gt) });
  subConn.subscribe("wc.*.baz", { callback: collect(got.star_baz) });
  await subConn.flush();

  for (const subject of PUBLISHED) pubConn.publish(subject, Empty);
  await pubConn.flush();
  // The last two subjects are end markers: each subscription matches at least one of them.
  await waitFor(
    () => got.star.includes("wc.end") && got.gt.includes("wc.end.baz") && got.star_baz.includes("wc.end.baz"),
    10000,
    "end markers on all wildcard subscriptions",
  );
  await subConn.flush();

  await pubConn.close();
  await subConn.close();
  return { ...got };
}
