// Runs INSIDE the sandbox isolate: the sandbox side of carried scope (src/scope/). The prepared program binds each
// carried value with scopeIn(name) at its start and registers a capture callback with scopeOut(); the harness calls
// captureScope() when the program has ended, and the host stores what it returns. Encoding charges the agent's step
// budget (step() from runtime.js) per node, so a value built to blow up the walk spends the agent's budget.
//
// Sizes are capped here, before anything is encoded in full: run() returns its whole answer over one RPC, and
// workerd refuses an answer over 32 MiB, which would lose the program's result with its scope. A value over
// max_scope_value_bytes is refused as soon as the walk has counted that much (scope-codec.js), and the values
// together may not take more than REPLY_BUDGET of the answer; the host checks the exact limits again when it stores.
import { step } from "./runtime.js";
import { decodeScopeValue, encodeScopeValue, TooLarge, Unstorable } from "./scope-codec.js";

/** The largest max_scope_value_bytes the configuration allows (src/config.ts): the cap when the host names none. */
const MAX_VALUE_BYTES = 16 * 1024 * 1024;
/**
 * How much of run()'s answer the captured values may take, as workerd serializes them (a string of Latin-1
 * characters one byte each, any other string two bytes per UTF-16 unit): 24 MiB of workerd's 32 MiB, the rest is
 * left for the result, the logs and the rest of the answer.
 */
const REPLY_BUDGET = 24 * 1024 * 1024;
// Bound before the agent's code runs: it may replace the globals (and Uint8Array's length) before its values are
// captured.
const { apply } = Reflect;
const { min } = Math;
const utf8 = TextEncoder.prototype.encode.bind(new TextEncoder());
const lengthOf = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "length").get;
/** Bytes of `text` in UTF-8. */
const utf8Length = (text) => apply(lengthOf, utf8(text), []);

let incoming = new Map();
let capture;
let maxNodes = 100_000;
/** max_scope_value_bytes when the host passes it (`maxValueBytes`); else only the configuration's ceiling is known. */
let maxValueBytes;

/** Called by the harness before the program runs: the encoded values this execution starts with. */
export function configureScope(options) {
  incoming = new Map((options?.values ?? []).map((v) => [v.name, v.json]));
  if (options?.maxNodes > 0) maxNodes = options.maxNodes;
  if (options?.maxValueBytes > 0) maxValueBytes = min(options.maxValueBytes, MAX_VALUE_BYTES);
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

/** Why a value is not carried whose encoding has `bytes` bytes (`exact`), or at least that many. */
function tooLarge(bytes, exact) {
  const limit =
    maxValueBytes === undefined
      ? `limits.max_scope_value_bytes (at most ${MAX_VALUE_BYTES})`
      : `${maxValueBytes} (limits.max_scope_value_bytes)`;
  return `its value is ${exact ? "" : "at least "}${bytes} bytes encoded; a carried variable holds at most ${limit}: keep it with state.set or make it smaller`;
}

/** Why a value is not carried when the values before it took what run()'s answer can hold. */
function overBudget(budget) {
  return `with the top-level values before it, it passes the ${budget} bytes of values one execution can hand back: keep it with state.set or make it smaller`;
}

/**
 * Reads and encodes every top-level binding. A binding still in its temporal dead zone (the program ended before
 * its declaration ran) is listed as uninitialized; one that cannot be stored is listed with the reason, and so is
 * one over the size limits. `options.budget` (optional): how many bytes of run()'s answer the values may take
 * (default REPLY_BUDGET), for a harness that has measured the rest of its answer first.
 */
export function captureScope(options) {
  const out = { values: [], unstorable: [], uninitialized: [] };
  if (!capture) return out;
  const budget = options?.budget >= 0 ? min(options.budget, REPLY_BUDGET) : REPLY_BUDGET;
  const valueLimit = maxValueBytes ?? MAX_VALUE_BYTES;
  let left = budget;
  for (const [name, read] of capture()) {
    let value;
    try {
      value = read();
    } catch {
      out.uninitialized.push(name);
      continue;
    }
    // A value longer than what is left of the budget is refused too: the encoding's length is at most its UTF-8
    // bytes and at most what it takes of the answer, so the walk may stop at the smaller of the two limits.
    const limit = min(valueLimit, left);
    try {
      const json = encodeScopeValue(value, { nodes: maxNodes, max: maxNodes, bytes: limit }, step);
      const bytes = utf8Length(json);
      if (bytes > valueLimit) {
        out.unstorable.push({ name, reason: tooLarge(bytes, true) });
        continue;
      }
      // All ASCII (as many bytes as characters): one byte per character in the answer; else possibly two.
      const cost = bytes === json.length ? json.length : 2 * json.length;
      if (cost > left) {
        out.unstorable.push({ name, reason: overBudget(budget) });
        continue;
      }
      left -= cost;
      out.values.push({ name, json });
    } catch (err) {
      if (!(err instanceof Unstorable)) throw err;
      const reason = !(err instanceof TooLarge)
        ? err.message
        : err.atLeast > valueLimit
          ? tooLarge(err.atLeast, false)
          : overBudget(budget);
      out.unstorable.push({ name, reason });
    }
  }
  return out;
}
