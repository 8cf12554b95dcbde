// Small helpers shared by the nats.js scenarios: argument parsing, output lines, waiting.

/** key=value arguments into an object (values stay strings). */
export function parseArgs(list) {
  const out = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new Error(`argument '${item}' is not key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** Comma-separated server URLs. */
export function serverList(value) {
  if (!value) throw new Error("missing servers=");
  return value.split(",").filter((s) => s.length > 0);
}

/** A progress event the harness can wait for before acting (e.g. killing a server). */
export function emitEvent(name, data = {}) {
  process.stdout.write(JSON.stringify({ event: name, ...data }) + "\n");
}

export function emitResult(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls cond() until true; throws with `what` after timeoutMs so failures say what was awaited. */
export async function waitFor(cond, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}

/** Port of "nats://127.0.0.1:4222", "127.0.0.1:4222", ... (-1 if none). */
export function portOf(url) {
  const m = /:(\d+)\/?$/.exec(String(url));
  return m ? Number(m[1]) : -1;
}

/**
 * Deterministic payload for message i: "i:" followed by a run of letters whose length cycles
 * from 0 to ~4 KB, so framing is exercised with empty, tiny and multi-read payloads. Mirrored
 * exactly by payload_for() in c/common.c.
 */
export function payloadFor(i) {
  const len = (i * 37) % 4099;
  let s = `${i}:`;
  for (let j = 0; j < len; j++) s += String.fromCharCode(97 + ((i + j) % 26));
  return s;
}
