// The sandbox isolate's main module: runs the agent's prepared module once and reports a value, never a throw.
// The executor loads a fresh isolate per execution, so module state here is per execution.
import { WorkerEntrypoint } from "cloudflare:workers";
import main from "./agent.js";
import { replaceNetworkApis } from "./no-network.js";
import { toJsonSafe as previewable } from "./plain-data.js";
import { trackRejections, unhandledRejections } from "./rejections.js";
import {
  budgetSpent,
  configure,
  endCalls,
  execNative,
  finish,
  isBudgetExceeded,
  setMetering,
  stepBudgetMessage,
  stepsTaken,
  takeLogs,
  toJsonSafe,
} from "./runtime.js";
import { captureScope, configureScope } from "./scope.js";

// The innermost frame in the agent's code or in a skill's (src/skills/skill-modules.ts names its module), whichever
// comes first: an error thrown inside a skill is reported at the skill's line, not at the call in the agent's code.
const CODE_FRAME = /(?:skill-impl\.([a-z][a-z0-9_]*@\d+)\.js|agent\.js):(\d+):(\d+)/;
/** Longest error message reported; the host caps it again. */
const MAX_MESSAGE_CHARS = 4_000;
/** A thrown value that is not an Error is shown as JSON of at most this many values and characters. */
const PREVIEW_VALUES = 50;
const PREVIEW_CHARS = 300;
const THROW_ERROR = 'throw new Error("…") to report a failure with its line';

// Everything the harness uses after the agent's code started is bound here, before that code can replace the
// built-ins: it runs in this isolate before and after every tool call, and may rewrite Array, Promise, Error, JSON or
// Object.prototype (a setter, a `then`). The harness iterates no array (no for…of, spread or Array methods), builds
// its records without a prototype, and never resolves a promise with an object that has one: resolving reads `then`.
const { apply, defineProperty } = Reflect;
const stringifyJson = JSON.stringify;
const NativePromise = Promise;
const toText = String;
const toNumber = Number;
const stringSlice = String.prototype.slice;
const NATIVE_CONSTRUCTOR = { __proto__: null, value: NativePromise };
const NO_THEN = { __proto__: null, value: undefined };
const ELEMENT = { __proto__: null, value: undefined, writable: true, enumerable: true, configurable: true };

/**
 * `promise`, made safe to await: `await` reads the promise's `constructor` (Promise.prototype's, which the agent can
 * replace) and, when that is not the built-in Promise, calls its `then`. An own `constructor` settles it.
 */
function sealed(promise) {
  defineProperty(promise, "constructor", NATIVE_CONSTRUCTOR);
  return promise;
}

/**
 * The reply for the host: an ordinary object (workerd's RPC refuses prototype-less ones) with an own, non-enumerable
 * `then` (not serialized), so resolving run()'s promise with it finds no `then` the agent put on Object.prototype.
 */
function forHost(reply) {
  defineProperty(reply, "then", NO_THEN);
  return reply;
}

/** Adds `value` at the end of `list` as an own element: `list[i] = value` would call a setter on Array.prototype. */
function append(list, value) {
  ELEMENT.value = value;
  defineProperty(list, list.length, ELEMENT);
  ELEMENT.value = undefined;
}

/** Reads a property of a thrown value as text; the value's getters and toString are the agent's code and may throw. */
function text(read, fallback, absent = fallback) {
  try {
    const value = read();
    const s = typeof value === "string" ? value : value === undefined || value === null ? absent : toText(value);
    return s.length > MAX_MESSAGE_CHARS
      ? `${apply(stringSlice, s, [0, MAX_MESSAGE_CHARS])}…[${s.length} characters]`
      : s;
  } catch {
    return fallback;
  }
}

function describeError(err, maxSteps) {
  if (isBudgetExceeded()) return { __proto__: null, name: "StepBudgetError", message: stepBudgetMessage(maxSteps) };
  return describeThrown(err);
}

/** Name, message and line in the agent's code of anything thrown (or a rejection's reason). */
function describeThrown(err) {
  if (err === null || (typeof err !== "object" && typeof err !== "function")) {
    return {
      __proto__: null,
      name: "Error",
      message: `the code threw ${typeof err === "string" ? "a string" : "a non-Error value"}: ${text(() => toText(err), "(unprintable)")}; ${THROW_ERROR}`,
    };
  }
  let frame = null;
  try {
    const stack = err.stack;
    if (typeof stack === "string") frame = execNative(CODE_FRAME, stack);
  } catch {}
  const described = {
    __proto__: null,
    name: text(() => err.name, "Error"),
    message: text(() => err.message, "(the error's message could not be read)", ""),
  };
  // A thrown array or plain object has no name, message or stack: say what it was instead of "Error: ".
  if (frame === null && described.message === "" && text(() => err.name, "", "") === "") {
    const shown = text(() => stringifyJson(previewable(err, PREVIEW_VALUES)), "(unprintable)");
    described.message = `the code threw a non-Error value: ${
      shown.length > PREVIEW_CHARS ? `${apply(stringSlice, shown, [0, PREVIEW_CHARS])}…` : shown
    }; ${THROW_ERROR}`;
  }
  if (frame) {
    described.line = toNumber(frame[2]);
    described.column = toNumber(frame[3]);
    if (frame[1]) described.skill = frame[1];
  }
  return described;
}

/**
 * Rejections nobody handled (worker-loader/rejections.js), described as thrown errors are: the host words them as
 * warnings, locating each as it locates the error (src/sandbox/rejection-warnings.ts). Then `{ more }` when some
 * were only counted.
 */
function rejectionWarnings({ reasons, count, more }) {
  const warnings = [];
  for (let i = 0; i < count; i++) append(warnings, { ...describeThrown(reasons[i]) });
  if (more > 0) append(warnings, { more });
  return warnings;
}

/** What ended a wait ({@link first}): the awaited work, the step budget, or the host. */
const SETTLED = 0;
const BUDGET = 1;
const STOPPED = 2;

/** Resolves `done` with a prototype-less record of how `promise` settled. */
async function follow(promise, done, by) {
  try {
    done({ __proto__: null, by, failed: false, value: await promise });
  } catch (err) {
    done({ __proto__: null, by, failed: true, err });
  }
}

/**
 * Waits for `promise`, the step budget spent, or the host stopping, whichever comes first, as
 * `{ by, failed, value | err }`: Promise.race, without a call the agent's code can replace.
 */
function first(promise) {
  let done;
  const winner = new NativePromise((resolve) => {
    done = resolve;
  });
  follow(sealed(promise), done, SETTLED);
  follow(budgetSpent, done, BUDGET);
  follow(stopped, done, STOPPED);
  return sealed(winner);
}

replaceNetworkApis();
trackRejections();

let requestStop;
/**
 * Resolves when the host gives up on this execution (timeout, approval pending). Ending run() then ends its request,
 * and workerd cancels the request's timers: a timer loop left behind would otherwise keep the isolate spinning.
 */
const stopped = sealed(
  new NativePromise((resolve) => {
    requestStop = resolve;
  }),
);
sealed(budgetSpent);

/** Delivers what the code emitted (runtime.js finish) unless the host stops waiting first. */
async function finishOrStop() {
  await first(finish());
}

export default class Harness extends WorkerEntrypoint {
  async run(options) {
    // Read before the agent's code runs: a property the host left out would later be looked up on Object.prototype.
    const maxSteps = options.maxSteps;
    const carriesScope = !!options.scope;
    configure(options);
    configureScope(options.scope);
    let outcome;
    let warnings = [];
    let scope;
    let spentBefore = false;
    setMetering(true);
    try {
      outcome = await first(main());
      endCalls();
      // Still metered: work the program left behind may run while its unhandled rejections are collected, and
      // describing a rejection's reason runs the agent's getters.
      if (outcome.by !== STOPPED && !isBudgetExceeded()) {
        const collected = await first(unhandledRejections());
        if (collected.by === SETTLED && !collected.failed) warnings = rejectionWarnings(collected.value);
      }
      // The top level lives on (src/scope/): read it while still metered, since getters and encoding are the agent's
      // work. A budget spent here loses only the scope, never the outcome the program already reached.
      spentBefore = isBudgetExceeded();
      if (carriesScope && outcome.by !== STOPPED && !spentBefore) {
        try {
          scope = captureScope();
        } catch (err) {
          scope = {
            error: isBudgetExceeded()
              ? "encoding the top-level values spent the step budget"
              : text(() => err?.message ?? err, "the top-level values could not be encoded"),
          };
        }
      }
    } finally {
      setMetering(false);
    }
    let error;
    let json;
    let resultLength;
    if (spentBefore || (isBudgetExceeded() && !scope)) error = describeError(undefined, maxSteps);
    else if (outcome.by === STOPPED) {
      return forHost({
        ok: false,
        error: { name: "Stopped", message: "stopped by the host" },
        logs: [],
        steps: stepsTaken(),
      });
    } else if (outcome.failed) error = describeError(outcome.err, maxSteps);
    else if (outcome.value !== undefined) {
      // The returned value is the agent's: its getters and toJSON run here, and may throw or spend the budget.
      try {
        json = stringifyJson(toJsonSafe(outcome.value));
        // The host keeps at most maxResultBytes of it anyway (src/sandbox/reply-caps.ts): one more character tells it
        // the result was cut, `resultLength` how long it was. A huge result would otherwise pass workerd's 32 MiB cap
        // on run()'s answer and lose everything else in it.
        const max = options.maxResultBytes;
        if (typeof json === "string" && typeof max === "number" && json.length > max) {
          resultLength = json.length;
          json = apply(stringSlice, json, [0, max + 1]);
        }
      } catch (err) {
        error = describeError(err, maxSteps);
      }
    }
    if (error !== undefined && isBudgetExceeded()) warnings = [];
    await finishOrStop();
    return forHost(
      error === undefined
        ? { ok: true, result: json, resultLength, logs: takeLogs(), steps: stepsTaken(), warnings, scope }
        : { ok: false, error: { ...error }, logs: takeLogs(), steps: stepsTaken(), warnings, scope },
    );
  }

  /** Called by the host when it no longer waits for run(). */
  stop() {
    requestStop();
  }
}
