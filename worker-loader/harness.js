// The sandbox isolate's main module: runs the agent's prepared module once and reports a value, never a throw.
// The executor loads a fresh isolate per execution, so module state here is per execution.
import { WorkerEntrypoint } from "cloudflare:workers";
import main from "./agent.js";
import { replaceNetworkApis } from "./no-network.js";
import { trackRejections, unhandledRejections } from "./rejections.js";
import {
  budgetSpent,
  configure,
  endCalls,
  finish,
  isBudgetExceeded,
  StepBudgetError,
  setMetering,
  stepsTaken,
  takeLogs,
  toJsonSafe,
} from "./runtime.js";
import { captureScope, configureScope } from "./scope.js";

// The innermost frame in the agent's code or in a skill's (src/skills/skill-modules.ts names its module), whichever
// comes first: an error thrown inside a skill is reported at the skill's line, not at the call in the agent's code.
const CODE_FRAME = /(?:skill-impl\.([a-z][a-z0-9_]*@\d+)\.js|agent\.js):(\d+):(\d+)/;
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
  return describeThrown(err);
}

/** Name, message and line in the agent's code of anything thrown (or a rejection's reason). */
function describeThrown(err) {
  if (err === null || (typeof err !== "object" && typeof err !== "function")) {
    return { name: "Error", message: `the code threw a non-Error value: ${text(() => String(err), "(unprintable)")}` };
  }
  let frame = null;
  try {
    const stack = err.stack;
    if (typeof stack === "string") frame = CODE_FRAME.exec(stack);
  } catch {}
  return {
    name: text(() => err.name, "Error"),
    message: text(() => err.message, "(the error's message could not be read)", ""),
    ...(frame ? { line: Number(frame[2]), column: Number(frame[3]) } : {}),
    ...(frame?.[1] ? { skill: frame[1] } : {}),
  };
}

/** Rejections nobody handled, as warnings for the result (worker-loader/rejections.js). */
function rejectionWarnings({ reasons, more }) {
  const warnings = reasons.map((reason) => {
    const { name, message, line, skill } = describeThrown(reason);
    const where = line ? ` (at line ${line} of ${skill ? `skill ${skill}` : "your code"})` : "";
    return `Unhandled promise rejection: ${name}${message ? `: ${message}` : ""}${where}`;
  });
  if (more > 0) warnings.push(`…and ${more} more unhandled promise rejections`);
  return warnings;
}

replaceNetworkApis();
trackRejections();

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
    configure(options);
    configureScope(options.scope);
    const ending = [budgetSpent, stopped.then(() => STOPPED)];
    let outcome;
    let warnings = [];
    let scope;
    let spentBefore = false;
    setMetering(true);
    try {
      try {
        outcome = { value: await Promise.race([main(), ...ending]) };
      } catch (err) {
        outcome = { err };
      }
      endCalls();
      // Still metered: work the program left behind may run while its unhandled rejections are collected, and
      // describing a rejection's reason runs the agent's getters.
      if (outcome.value !== STOPPED && !isBudgetExceeded()) {
        const collected = await Promise.race([unhandledRejections(), ...ending]);
        if (collected && collected !== STOPPED) warnings = rejectionWarnings(collected);
      }
      // The top level lives on (src/scope/): read it while still metered, since getters and encoding are the agent's
      // work. A budget spent here loses only the scope, never the outcome the program already reached.
      spentBefore = isBudgetExceeded();
      if (options.scope && outcome.value !== STOPPED && !spentBefore) {
        try {
          scope = captureScope();
        } catch (err) {
          scope = {
            error: isBudgetExceeded()
              ? "encoding the top-level values spent the step budget"
              : String(err?.message ?? err),
          };
        }
      }
    } finally {
      setMetering(false);
    }
    try {
      if (spentBefore || (isBudgetExceeded() && !scope)) throw new StepBudgetError(options.maxSteps);
      if ("err" in outcome) throw outcome.err;
      if (outcome.value === STOPPED) {
        return { ok: false, error: { name: "Stopped", message: "stopped by the host" }, logs: [], steps: stepsTaken() };
      }
      const json = outcome.value === undefined ? undefined : stringifyJson(toJsonSafe(outcome.value));
      await finishOrStop();
      return { ok: true, result: json, logs: takeLogs(), steps: stepsTaken(), warnings, scope };
    } catch (err) {
      if (isBudgetExceeded()) warnings = [];
      const error = describeError(err, options.maxSteps);
      await finishOrStop();
      return { ok: false, error, logs: takeLogs(), steps: stepsTaken(), warnings, scope };
    }
  }

  /** Called by the host when it no longer waits for run(). */
  stop() {
    requestStop();
  }
}
