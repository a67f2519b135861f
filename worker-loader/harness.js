// The sandbox isolate's main module: runs the agent's prepared module once and reports a value, never a throw.
// The executor loads a fresh isolate per execution, so module state here is per execution.
import { WorkerEntrypoint } from "cloudflare:workers";
import main from "./agent.js";
import {
  budgetSpent,
  configure,
  finish,
  isBudgetExceeded,
  StepBudgetError,
  setMetering,
  stepsTaken,
  takeLogs,
  toJsonSafe,
} from "./runtime.js";

const AGENT_FRAME = /agent\.js:(\d+):(\d+)/;
const stringifyJson = JSON.stringify;
const race = Promise.race.bind(Promise);
/** Longest error message reported; the host caps it again. */
const MAX_MESSAGE_CHARS = 4_000;

/** Reads a property of a thrown value as text; the value's getters and toString are the agent's code and may throw. */
function text(read, fallback, absent = fallback) {
  try {
    const value = read();
    const s = typeof value === "string" ? value : value === undefined || value === null ? absent : String(value);
    return s.length > MAX_MESSAGE_CHARS ? `${s.slice(0, MAX_MESSAGE_CHARS)}…[${s.length} characters]` : s;
  } catch {
    return fallback;
  }
}

function describeError(err, maxSteps) {
  if (isBudgetExceeded()) {
    return { name: "StepBudgetError", message: new StepBudgetError(maxSteps).message };
  }
  if (err === null || (typeof err !== "object" && typeof err !== "function")) {
    return { name: "Error", message: `the code threw a non-Error value: ${text(() => String(err), "(unprintable)")}` };
  }
  let frame = null;
  try {
    const stack = err.stack;
    if (typeof stack === "string") frame = AGENT_FRAME.exec(stack);
  } catch {}
  return {
    name: text(() => err.name, "Error"),
    message: text(() => err.message, "(the error's message could not be read)", ""),
    ...(frame ? { line: Number(frame[1]), column: Number(frame[2]) } : {}),
  };
}

let requestStop;
/**
 * Resolves when the host gives up on this execution (timeout, approval pending). Ending run() then ends its request,
 * and workerd cancels the request's timers: a timer loop left behind would otherwise keep the isolate spinning.
 */
const stopped = new Promise((resolve) => {
  requestStop = resolve;
});
const STOPPED = Symbol("stopped");

/** Delivers what the code emitted (runtime.js finish) unless the host stops waiting first. */
async function finishOrStop() {
  try {
    await race([finish(), stopped]);
  } catch {}
}

export default class Harness extends WorkerEntrypoint {
  async run(options) {
    await configure(this.env, options);
    try {
      let value;
      setMetering(true);
      try {
        value = await Promise.race([main(), budgetSpent, stopped.then(() => STOPPED)]);
      } finally {
        setMetering(false);
      }
      if (isBudgetExceeded()) throw new StepBudgetError(options.maxSteps);
      if (value === STOPPED) {
        return { ok: false, error: { name: "Stopped", message: "stopped by the host" }, logs: [], steps: stepsTaken() };
      }
      const json = value === undefined ? undefined : stringifyJson(toJsonSafe(value));
      await finishOrStop();
      return { ok: true, result: json, logs: takeLogs(), steps: stepsTaken() };
    } catch (err) {
      const error = describeError(err, options.maxSteps);
      await finishOrStop();
      return { ok: false, error, logs: takeLogs(), steps: stepsTaken() };
    }
  }

  /** Called by the host when it no longer waits for run(). */
  stop() {
    requestStop();
  }
}
