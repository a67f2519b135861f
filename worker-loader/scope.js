// Runs INSIDE the sandbox isolate: the sandbox side of carried scope (src/scope/). The prepared program binds each
// carried value with scopeIn(name) at its start and registers a capture callback with scopeOut(); the harness calls
// captureScope() when the program has ended, and the host stores what it returns. Encoding charges the agent's step
// budget (step() from runtime.js) per node, so a value built to blow up the walk spends the agent's budget.
import { step } from "./runtime.js";
import { decodeScopeValue, encodeScopeValue, Unstorable } from "./scope-codec.js";

let incoming = new Map();
let capture;
let maxNodes = 100_000;

/** Called by the harness before the program runs: the encoded values this execution starts with. */
export function configureScope(options) {
  incoming = new Map((options?.values ?? []).map((v) => [v.name, v.json]));
  if (options?.maxNodes > 0) maxNodes = options.maxNodes;
}

/** The carried value of `name` (called once per carried name by the prepared program's first line). */
export function scopeIn(name) {
  const json = incoming.get(name);
  return json === undefined ? undefined : decodeScopeValue(json);
}

/** Registers the callback that lists the program's top-level bindings as [name, getter] pairs. */
export function scopeOut(callback) {
  capture = callback;
}

/**
 * Reads and encodes every top-level binding. A binding still in its temporal dead zone (the program ended before
 * its declaration ran) is listed as uninitialized; one that cannot be stored is listed with the reason.
 */
export function captureScope() {
  const out = { values: [], unstorable: [], uninitialized: [] };
  if (!capture) return out;
  for (const [name, read] of capture()) {
    let value;
    try {
      value = read();
    } catch {
      out.uninitialized.push(name);
      continue;
    }
    try {
      out.values.push({ name, json: encodeScopeValue(value, { nodes: maxNodes, max: maxNodes }, step) });
    } catch (err) {
      if (!(err instanceof Unstorable)) throw err;
      out.unstorable.push({ name, reason: err.message });
    }
  }
  return out;
}
