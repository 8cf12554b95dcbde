// The harness restarts the server on the same port after our "ready" event. The connection
// must notice, reconnect by itself, replay its subscription, and carry traffic both ways.
import { connect, Events, StringCodec } from "nats";
import { emitEvent, serverList, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const count = Number(args.count ?? 10);
  const replayedSubject = "interop.reconnect.replayed";
  const freshSubject = "interop.reconnect.fresh";

  const nc = await connect({
    servers,
    name: "js-reconnect",
    reconnectTimeWait: 200,
    reconnectJitter: 0,
    maxReconnectAttempts: -1,
  });
  Object.assign(progress, { disconnects: 0, reconnects: 0, before_received: 0, replayed_received: 0, fresh_received: 0 });
  (async () => {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) progress.disconnects++;
      if (s.type === Events.Reconnect) progress.reconnects++;
    }
  })();

  nc.subscribe(replayedSubject, {
    callback: (err, msg) => {
      if (err) throw err;
      if (sc.decode(msg.data) === "before") progress.before_received++;
      else progress.replayed_received++;
    },
  });
  await nc.flush();
  nc.publish(replayedSubject, sc.encode("before"));
  await waitFor(() => progress.before_received === 1, 5000, "the message published before the restart");

  emitEvent("ready");
  await waitFor(() => progress.reconnects >= 1, 30000, "reconnect after the server restart");

  // A brand-new connection proves the restarted server has the replayed subscription.
  const other = await connect({ servers, name: "js-reconnect-other" });
  other.subscribe(freshSubject, {
    callback: (err) => {
      if (err) throw err;
      progress.fresh_received++;
    },
  });
  await other.flush();
  for (let i = 0; i < count; i++) {
    other.publish(replayedSubject, sc.encode(`after-${i}`));
    nc.publish(freshSubject, sc.encode(`from-reconnected-${i}`));
  }
  await other.flush();
  await nc.flush();
  await waitFor(
    () => progress.replayed_received >= count && progress.fresh_received >= count,
    10000,
    `${count} messages each way after reconnecting`,
  );

  await other.close();
  await nc.close();
  return { ...progress };
}
