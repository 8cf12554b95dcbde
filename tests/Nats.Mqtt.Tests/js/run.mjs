// MQTT.js scenarios for Nats.Mqtt.Tests: node run.mjs <scenario> <json options>
// Every scenario first prints {"connected":true,"sessionPresent":…} on CONNACK.
//   sub: connects, subscribes, prints {"ready":true} after the SUBACK, then one JSON line per message, exits after `count`.
//   pub: connects, publishes `count` messages (payload `payload-<i>`), waits for their acks, prints {"done":n}, exits.
// Options: port, version (4: MQTT 3.1.1, 5), clientId, topic, qos, count, clean, userProperties, retain, sessionExpiry.
import mqtt from "mqtt";

const [scenario, json] = process.argv.slice(2);
const o = JSON.parse(json);
const fail = (e) => { console.log(JSON.stringify({ error: String(e && e.message || e) })); process.exit(1); };
setTimeout(() => fail("timed out"), (o.timeoutSeconds ?? 30) * 1000).unref();

const options = {
  protocolVersion: o.version ?? 4,
  clientId: o.clientId,
  clean: o.clean ?? true,
  reconnectPeriod: 0,
  connectTimeout: 10000,
};
if (o.version === 5 && o.sessionExpiry !== undefined) {
  options.properties = { sessionExpiryInterval: o.sessionExpiry };
}
const client = mqtt.connect(`mqtt://127.0.0.1:${o.port}`, options);
client.on("error", fail);

client.on("connect", async (connack) => {
  console.log(JSON.stringify({ connected: true, sessionPresent: connack.sessionPresent }));
  try {
    if (scenario === "sub") {
      let seen = 0;
      client.on("message", (topic, payload, packet) => {
        console.log(JSON.stringify({
          topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain,
          userProperties: packet.properties?.userProperties ?? null,
        }));
        if (++seen >= (o.count ?? 1)) {
          client.end(false, () => process.exit(0));
        }
      });
      const granted = await client.subscribeAsync(o.topic, { qos: o.qos ?? 0 });
      console.log(JSON.stringify({ ready: true, granted: granted.map((g) => g.qos) }));
      if ((o.count ?? 1) === 0) {
        client.end(false, () => process.exit(0));
      }
    } else if (scenario === "pub") {
      for (let i = 0; i < (o.count ?? 1); i++) {
        const publishOptions = { qos: o.qos ?? 0, retain: o.retain ?? false };
        if (o.version === 5 && o.userProperties) {
          publishOptions.properties = { userProperties: o.userProperties };
        }
        await client.publishAsync(o.topic, `payload-${i}`, publishOptions);
      }
      console.log(JSON.stringify({ done: o.count ?? 1 }));
      client.end(false, () => process.exit(0));
    } else {
      fail(`unknown scenario ${scenario}`);
    }
  } catch (e) {
    fail(e);
  }
});
