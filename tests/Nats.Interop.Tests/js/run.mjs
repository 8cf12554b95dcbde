// Entry point for the nats.js interop scenarios.
//
//   node run.mjs <scenario> key=value ...
//
// Contract shared with the C scenarios (c/main.c), relied on by the NUnit harness:
//  - progress events are single JSON lines with an "event" field ({"event":"ready",...});
//  - the last line is the result: {"ok":true|false,"error":...,<observations>};
//  - the scenario gives up after timeout_ms and reports {"ok":false,"error":"timeout ..."},
//    so a hung client still produces a diagnosable result instead of being killed silently.
import { parseArgs, emitResult } from "./lib/harness.mjs";

const SCENARIOS = new Set([
  "pubsub", "wildcard", "queue", "request", "headers", "no-responders",
  "reconnect", "cluster", "auth", "tls", "jetstream-kv",
]);

const [, , scenario, ...rest] = process.argv;
if (!SCENARIOS.has(scenario)) {
  emitResult({ ok: false, error: `unknown scenario '${scenario}'; known: ${[...SCENARIOS].join(", ")}` });
  process.exit(2);
}

const args = parseArgs(rest);
const timeoutMs = Number(args.timeout_ms ?? 20000);
// Holds the partial observations so a timeout still shows how far the scenario got.
const progress = {};

const timer = setTimeout(() => {
  emitResult({ ...progress, ok: false, error: `timeout after ${timeoutMs} ms in scenario '${scenario}'` });
  process.exit(3);
}, timeoutMs);

try {
  const { run } = await import(`./scenarios/${scenario}.mjs`);
  const result = await run(args, progress);
  clearTimeout(timer);
  emitResult({ ok: true, ...result });
  process.exit(0);
} catch (err) {
  clearTimeout(timer);
  emitResult({ ...progress, ok: false, error: describeError(err) });
  process.exit(1);
}

function describeError(err) {
  if (err && typeof err === "object") {
    const code = err.code ? ` [code ${err.code}]` : "";
    return `${err.message ?? String(err)}${code}`;
  }
  return String(err);
}
