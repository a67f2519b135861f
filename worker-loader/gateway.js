// The `gateway` module agent code imports: `import { state, progress } from "gateway"`. Runs INSIDE the sandbox;
// every operation is carried out (and checked) by the host session through the bridge.
import { host, reportProgress } from "./runtime.js";

// Bound at load, before the agent's code can replace them.
const toNumber = Number;
const toText = String;
const isFiniteNumber = Number.isFinite;
const stringifyJson = JSON.stringify;
const stringSlice = String.prototype.slice;
const { apply } = Reflect;
const NativeTypeError = TypeError;
const rejected = Promise.reject.bind(Promise);
/** Longest key a refusal of state.set quotes (a key is the agent's data, of any length). */
const MAX_KEY_SHOWN = 64;

/** `state.set("key", value): `, the start of a refusal of that call, its key quoted and cut. */
function stateSet(key) {
  if (typeof key !== "string") return "state.set(key, value): ";
  const shown = key.length > MAX_KEY_SHOWN ? `${apply(stringSlice, key, [0, MAX_KEY_SHOWN])}…` : key;
  return `state.set(${stringifyJson(shown)}, value): `;
}

/** Values kept in the session between executions (JSON only), and earlier executions' results. */
export const state = Object.freeze({
  /** The stored value, or undefined. */
  get: (key) => host("state.get", { key }),
  /**
   * Stores a JSON value. Anything JSON cannot keep is refused naming the key, undefined too: it would store nothing,
   * so the key would be missing from keys() afterwards; state.delete(key) removes a key.
   */
  set: (key, value) =>
    value === undefined
      ? rejected(
          new NativeTypeError(
            `${stateSet(key)}the value is undefined, which state cannot keep (it keeps JSON values): to remove the key, call state.delete(key); to keep an empty value, store null`,
          ),
        )
      : host("state.set", { key, value }, stateSet(key), "stored in state"),
  /** Deletes a key; resolves to whether it existed. */
  delete: (key) => host("state.delete", { key }),
  /** Keys in order, optionally only those starting with a prefix. */
  keys: (prefix) => host("state.keys", prefix === undefined ? {} : { prefix }),
  /** The previous execution of this session: { execution_id, ok, result, error }, or undefined. */
  last: () => host("state.last", {}),
  /** The result of an earlier execution by its id. */
  result: (executionId) => host("state.result", { id: executionId }),
});

/**
 * Reports progress to the client while the execution runs: progress(3, 10, "processed 3 of 10 files"). Resolves once
 * the host has it; never fails. Past the notification budget only the last value is kept, and it still arrives.
 */
export async function progress(current, total, message) {
  const n = toNumber(current);
  const t = total === undefined ? undefined : toNumber(total);
  await reportProgress(
    isFiniteNumber(n) ? n : 0,
    isFiniteNumber(t) ? t : undefined,
    message === undefined ? undefined : toText(message),
  );
}
// The build's minifier renames the declaration (the export keeps its name, the function would not).
Object.defineProperty(progress, "name", { value: "progress" });
