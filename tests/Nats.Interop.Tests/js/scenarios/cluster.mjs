// Client A knows only the seed server; it must learn the other members from INFO
// connect_urls. After our "ready" event the harness kills the seed: A must fail over to
// another member, and traffic must flow between A and a client B on the remaining member.
import { connect, Events, StringCodec } from "nats";
import { delay, emitEvent, portOf, serverList, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const seed = serverList(args.seed);
  const others = serverList(args.others);
  const count = Number(args.count ?? 100);

  const a = await connect({
    servers: seed,
    name: "js-cluster-a",
    reconnectTimeWait: 200,
    reconnectJitter: 0,
    maxReconnectAttempts: -1,
  });
  Object.assign(progress, { reconnects: 0, discovered: [] });
  (async () => {
    for await (const s of a.status()) if (s.type === Events.Reconnect) progress.reconnects++;
  })();

  const otherPorts = others.map(portOf);
  const discovered = () => (a.info?.connect_urls ?? []).map(String);
  await waitFor(
    () => otherPorts.every((p) => discovered().some((u) => portOf(u) === p)),
    10000,
    "connect_urls listing every other cluster member",
  );
  progress.discovered = discovered();

  emitEvent("ready", { discovered: progress.discovered });
  await waitFor(() => progress.reconnects >= 1, 30000, "fail-over after the seed was killed");
  progress.reconnected_to = a.getServer();

  // B goes to the surviving member A is not on, so messages must cross a route.
  const otherUrl = others.find((u) => portOf(u) !== portOf(progress.reconnected_to));
  const b = await connect({ servers: [otherUrl], name: "js-cluster-b" });
  progress.b_server = b.getServer();

  const toA = [];
  const toB = [];
  const collect = (list) => (err, msg) => {
    if (err) throw err;
    list.push(sc.decode(msg.data));
  };
  a.subscribe("interop.cluster.to-a", { callback: collect(toA) });
  b.subscribe("interop.cluster.to-b", { callback: collect(toB) });
  await a.flush();
  await b.flush();

  // Interest crosses the route asynchronously: probe until each side sees the other's.
  const probeDeadline = Date.now() + 10000;
  while (!(toA.includes("probe") && toB.includes("probe"))) {
    if (Date.now() > probeDeadline) throw new Error("subscription interest never propagated between members");
    b.publish("interop.cluster.to-a", sc.encode("probe"));
    a.publish("interop.cluster.to-b", sc.encode("probe"));
    await delay(50);
  }

  for (let i = 0; i < count; i++) {
    b.publish("interop.cluster.to-a", sc.encode(`m-${i}`));
    a.publish("interop.cluster.to-b", sc.encode(`m-${i}`));
  }
  await a.flush();
  await b.flush();
  const real = (list) => list.filter((m) => m !== "probe");
  await waitFor(() => real(toA).length >= count && real(toB).length >= count, 10000, `${count} messages each way`);
  const inOrder = (list) => real(list).every((m, i) => m === `m-${i}`);

  await b.close();
  await a.close();
  return {
    discovered: progress.discovered,
    reconnects: progress.reconnects,
    reconnected_to: progress.reconnected_to,
    b_server: progress.b_server,
    to_a_received: real(toA).length,
    to_b_received: real(toB).length,
    to_a_in_order: inOrder(toA),
    to_b_in_order: inOrder(toB),
  };
}
