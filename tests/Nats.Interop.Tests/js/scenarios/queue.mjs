// Three queue subscribers (one group, separate connections) and one plain subscriber: each
// message goes to exactly one group member and also to the plain subscriber.
// In a cluster, member_servers / plain_server / pub_servers place the connections on given
// members (member i on member_servers[i % n]; one publisher per pub_servers entry, sharing
// the count), and settle_ms waits for interest to cross the routes before publishing.
import { connect, StringCodec } from "nats";
import { delay, serverList, waitFor } from "../lib/harness.mjs";

const sc = StringCodec();

export async function run(args, progress) {
  const servers = serverList(args.servers);
  const count = Number(args.count ?? 300);
  const subject = "interop.queue";

  const memberServers = args.member_servers ? serverList(args.member_servers) : null;
  const pubServers = args.pub_servers ? serverList(args.pub_servers) : null;
  const members = [];
  for (let i = 0; i < 3; i++) {
    const at = memberServers ? [memberServers[i % memberServers.length]] : servers;
    members.push(await connect({ servers: at, name: `js-queue-member-${i}` }));
  }
  const plain = await connect({ servers: args.plain_server ? [args.plain_server] : servers, name: "js-queue-plain" });
  const pubs = [];
  for (const at of pubServers ?? [null]) {
    pubs.push(await connect({ servers: at ? [at] : servers, name: `js-queue-pub-${pubs.length}` }));
  }

  const memberCounts = [0, 0, 0];
  const groupSeen = new Map(); // index -> deliveries within the group
  const plainSeen = new Map();
  const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  const snapshot = () => ({
    queue_counts: [...memberCounts],
    queue_unique: groupSeen.size,
    queue_duplicates: [...groupSeen.values()].reduce((a, n) => a + n - 1, 0),
    plain_received: [...plainSeen.values()].reduce((a, n) => a + n, 0),
    plain_unique: plainSeen.size,
  });

  members.forEach((nc, i) =>
    nc.subscribe(subject, {
      queue: "workers",
      callback: (err, msg) => {
        if (err) throw err;
        memberCounts[i]++;
        bump(groupSeen, sc.decode(msg.data));
        Object.assign(progress, snapshot());
      },
    }),
  );
  plain.subscribe(subject, {
    callback: (err, msg) => {
      if (err) throw err;
      bump(plainSeen, sc.decode(msg.data));
      Object.assign(progress, snapshot());
    },
  });
  for (const nc of [...members, plain]) await nc.flush();
  await delay(Number(args.settle_ms ?? 0));

  for (let i = 0; i < count; i++) pubs[i % pubs.length].publish(subject, sc.encode(String(i)));
  for (const pub of pubs) await pub.flush();
  await waitFor(
    () => memberCounts.reduce((a, n) => a + n, 0) >= count && plainSeen.size >= count,
    15000,
    `${count} deliveries to the group and to the plain subscriber`,
  );
  // Let any duplicate deliveries already sent by the server arrive before counting.
  for (const nc of [...members, plain]) await nc.flush();

  for (const nc of [...pubs, plain, ...members]) await nc.close();
  return snapshot();
}
