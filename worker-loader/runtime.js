// Runs INSIDE the sandbox isolate (loaded as a module by the executor; never by the host).
// It owns the sandbox's side of the bridge: tool calls leave as JSON strings, so nothing but plain data crosses,
// and every limit here is only a courtesy: the host enforces the same limits again on its side.
import { abandonWaiting, configureGate, through, waiting } from "./bridge-gate.js";
import { COPY_STEPS_PER_CHAR, meterBuiltins } from "./metered-builtins.js";
import {
  configureNotifications,
  flushNotifications,
  hasPending,
  noteRefused,
  notify,
  schedule,
} from "./notify-queue.js";
import { toJsonSafe as convertJsonSafe, MAX_LOG_VALUES, MAX_RESULT_VALUES, toPlain } from "./plain-data.js";
import { installGuards } from "./sandbox-guards.js";

// Everything the runtime uses while the agent's code runs (tool calls, logs) or after it ended (the harness's report)
// is bound here, before that code can replace the globals: it runs in this isolate and may rewrite Error, Array
// methods, Promise or Object.prototype. Errors the agent receives are made from the built-in constructors, with
// their names set as own properties (a setter on Error.prototype cannot intercept them); records and events have no
// prototype, so no property the agent adds to Object.prototype is read from them. The host re-checks what crosses.
const { parse: parseJson, stringify: stringifyJson } = JSON;
const { apply, defineProperty } = Reflect;
const ErrorCtor = Error;
const TypeErrorCtor = TypeError;
const NativePromise = Promise;
const isArray = Array.isArray;
const toText = String;
const stringSlice = String.prototype.slice;
// V8's own exec, taken before installGuards (below) replaces it: the guarded one plans with String and Array methods
// the agent's code may have rewritten by the time the harness reads its errors' stacks.
const nativeExec = RegExp.prototype.exec;
const ELEMENT = { __proto__: null, value: undefined, writable: true, enumerable: true, configurable: true };

/** Adds `value` at the end of `list` as an own element: `list[i] = value` would call a setter on Array.prototype. */
function append(list, value) {
  ELEMENT.value = value;
  defineProperty(list, list.length, ELEMENT);
  ELEMENT.value = undefined;
}

/** Sets an own, enumerable property, as an assignment would when no setter is in the way. */
function setOwn(object, key, value) {
  defineProperty(object, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true });
}

/** An Error named `name` made from the built-in constructor, whatever the agent's code did to the globals. */
function gatewayError(name, message) {
  const err = new ErrorCtor(message);
  setOwn(err, "name", name);
  return err;
}

/**
 * Settles with `{ value }` (no prototype) once the bridge replied: the reply is a host object with Object.prototype,
 * and resolving a promise with it would call a `then` the agent's code put there.
 */
function crossing(reply) {
  return new NativePromise((resolve, reject) => {
    reply.then((value) => resolve({ __proto__: null, value }), reject);
  });
}

let bridge;
let limits = {
  __proto__: null,
  maxSteps: Number.POSITIVE_INFINITY,
  maxLogBytes: 65536,
  maxLogLines: 1000,
  maxToolCalls: Number.POSITIVE_INFINITY,
  maxGatewayOps: Number.POSITIVE_INFINITY,
};
/** Bridge calls counted against their limits here, before they cross; the host counts them again. */
let toolCalls = 0;
let gatewayOps = 0;
/** Why a call still waiting for a bridge slot when the execution ends is refused. */
const ENDED_MESSAGE = "the execution ended before this call left the sandbox; it was never sent";
/**
 * The error those calls are rejected with, made only when one is waiting: an Error made while the modules evaluate
 * captures a stack, and V8 reparses the module to find its lines, about 0.14 ms of every execution
 * (bench/profile-start.ts).
 */
let ended;
/**
 * The step count and its limit. The agent's loops count on it directly, through a function-local alias
 * (src/sandbox/prepare-walk.ts): `if (++m.n > m.max) m.over();`. A loop that names an imported binding anywhere,
 * even in that never-taken branch (a call of step()), ran the bench's 1M-iteration loop 4 ms slower than with no
 * guard at all; counting on the alias costs a few tenths of that (bench/isolate-split.ts style A/B, guard_overhead).
 * A class instance, so its fields stay fast properties; the agent cannot reach it (the prepared module imports it
 * under a reserved `__cg` name) nor its frozen prototype.
 */
class Meter {
  constructor() {
    this.n = 0;
    this.max = Number.POSITIVE_INFINITY;
  }
  /** Called by a loop once its count passed the limit: throws, as step() does from then on. */
  over() {
    step(0);
  }
}
Object.freeze(Meter.prototype);
export const meter = new Meter();
let budgetExceeded = false;
/** Built-ins charge the budget only while the agent's code runs, never for the harness's own work around it. */
let metering = false;
const logs = [];
let logBytes = 0;
let logsTruncated = false;

/** Thrown when the step budget is spent; the harness reports it whatever the agent's code did with it. */
export class StepBudgetError extends ErrorCtor {
  constructor(max) {
    super(stepBudgetMessage(max));
    setOwn(this, "name", "StepBudgetError");
  }
}

/** The message of a {@link StepBudgetError}, which the harness reports whatever the agent's code did with the error. */
export function stepBudgetMessage(max) {
  return (
    `Execution exceeded its step budget (${max} steps: loop iterations, function calls, and elements built-ins ` +
    "processed); look for an infinite loop, unbounded recursion, or repeated work on very large arrays or strings"
  );
}

let onBudgetSpent;
/**
 * Resolves when the budget is first spent, so the harness can report at once even if the agent's code swallowed the
 * error and went on waiting (a rejected callback in a promise chain, a catch that awaits forever).
 */
export const budgetSpent = new NativePromise((resolve) => {
  onBudgetSpent = resolve;
});

function exceeded() {
  budgetExceeded = true;
  onBudgetSpent();
  return new StepBudgetError(limits.maxSteps);
}

let meteredInstalled = false;

/**
 * Called by the harness before the agent's code runs. It installs the metered built-ins the host selected
 * (`metered`: the names the code can reach, or undefined for all; metered-builtins.js meterBuiltins). The bridge is the
 * execution's RpcTarget in its session, an argument of run(): the isolate has no bindings, and nothing here waits on
 * the host before the program starts.
 */
export function configure({ bridge: given, metered, ...options }) {
  if (!meteredInstalled) {
    meteredInstalled = true;
    meterBuiltins(spend, metered);
  }
  bridge = given;
  limits = { __proto__: null, ...limits, ...options };
  meter.max = limits.maxSteps;
  configureGate(limits.maxCallsInFlight);
  if (bridge) configureNotifications((json) => crossing(bridge.host("notify", json)), limits.maxNotificationBytes);
}

/**
 * Called by the harness once the agent's code has ended, before it reports: calls still waiting for a bridge slot
 * are refused (never sent) and reported, then every notification within the budget, the last progress value and
 * the count of dropped ones reach the host, so the client has them in order before the result.
 */
export async function finish() {
  endCalls();
  await flushNotifications();
}

/**
 * Refuses every call still waiting for a bridge slot: the program has ended, so they are never sent. Called as soon
 * as the program settles, before the harness waits a turn to collect unhandled rejections.
 */
export function endCalls() {
  if (waiting() === 0) return;
  ended ??= new ErrorCtor(ENDED_MESSAGE);
  abandonWaiting(ended, (label) => {
    if (label) noteRefused(label.server, label.tool, ENDED_MESSAGE);
  });
}

/** Queues a live progress notification (the `gateway` module's `progress()`); never throws. */
export function reportProgress(current, total, message) {
  return notify({
    __proto__: null,
    type: "progress",
    current,
    ...(total === undefined ? {} : { total }),
    ...(message === undefined ? {} : { message: apply(stringSlice, message, [0, 1_000]) }),
  });
}

function toolError(status, message) {
  const err = gatewayError(status === "timeout" ? "ToolTimeoutError" : "ToolError", message);
  setOwn(err, "status", status);
  return err;
}

/**
 * The runaway-code guard, called at every function entry of the agent's code, and through `meter.over()` by a
 * loop iteration once the loop's own count on {@link meter} passes the limit. Local workerd has no CPU limit and
 * Date.now() does not advance in synchronous code, so counting steps is the only thing that can stop
 * `while (true) {}` there. Once spent it throws on every call, so a catch inside a loop cannot revive it. Catch
 * clauses call it with a weight (prepare-walk.ts CATCH_STEPS): handling an exception costs far more than a step.
 */
export function step(weight) {
  meter.n += weight === undefined ? 1 : weight;
  if (meter.n > meter.max) throw exceeded();
}

/** Charges `n` steps for work a built-in is about to do (worker-loader/metered-builtins.js). */
function spend(n) {
  if (!metering || !(n > 0)) return;
  meter.n += n;
  if (meter.n > meter.max) throw exceeded();
}

/**
 * Gives back steps charged in advance for work a built-in did not do (a native regex match that ended early). No
 * global here: the agent's code can replace `Math.max`, and one that answered 0 reset the count on every match.
 */
function refund(n) {
  if (!metering || !(n > 0) || budgetExceeded) return;
  meter.n = meter.n > n ? meter.n - n : 0;
}

installGuards(spend, refund);

/** `regex.exec(text)` by V8's own exec, for the harness's own patterns (never the agent's: it is not metered). */
export function execNative(regex, text) {
  return apply(nativeExec, regex, [text]);
}

/** Turns metering of built-ins on while the agent's code runs (the harness turns it off to report). */
export function setMetering(on) {
  metering = on;
}

export function stepsTaken() {
  return meter.n;
}

export function isBudgetExceeded() {
  return budgetExceeded;
}

/** Calls an upstream tool through the host. Used by the generated `servers/*.js` modules. */
export async function call(server, tool, args) {
  if (!bridge) throw new ErrorCtor("tool calls are only available while the execution runs");
  const input = args === undefined ? {} : args;
  if (input === null || typeof input !== "object" || isArray(input)) {
    throw new TypeErrorCtor(`${server}.${tool}: pass the arguments as one object, e.g. ${tool}({ ... })`);
  }
  const plain = toPlain(input, spend);
  // Spent budget ends the program: a catch block must not go on calling tools.
  if (budgetExceeded) throw new StepBudgetError(limits.maxSteps);
  // Refused here, before it crosses: a flood past the limit never reaches the host (which would refuse it too).
  if (toolCalls >= limits.maxToolCalls) {
    const error = `tool call limit reached: max_tool_calls is ${limits.maxToolCalls} per execution`;
    noteRefused(server, tool, error);
    throw toolError("rejected", error);
  }
  toolCalls++;
  const json = stringifyJson(plain);
  // Notifications emitted before the call reach the client before the call's own events.
  if (hasPending()) await schedule();
  let reply;
  try {
    reply = (await through(() => crossing(bridge.call(server, tool, json)), { __proto__: null, server, tool })).value;
  } catch (err) {
    if (ended !== undefined && err === ended) throw toolError("rejected", `${server}.${tool}: ${ENDED_MESSAGE}`);
    throw err;
  }
  if (!reply.ok) throw toolError(reply.status, reply.error);
  if (reply.value === undefined) return undefined;
  // Parsing the result is the program's work too (a 1 MiB result costs V8 several milliseconds): charged as its own
  // JSON.parse would be.
  spend(reply.value.length * COPY_STEPS_PER_CHAR);
  return parseJson(reply.value);
}

/** Performs a gateway operation (state) through the host; `refused` prefixes its plain-data refusals (`gateway.js`). */
export async function host(op, args, refused, target) {
  if (!bridge) throw new ErrorCtor("the gateway module is only available while the execution runs");
  const plain = toPlain(args, spend, refused, target);
  if (gatewayOps >= limits.maxGatewayOps) {
    throw gatewayError(
      "GatewayError",
      `too many gateway operations: max_gateway_ops is ${limits.maxGatewayOps} per execution (state.*, state.last, state.result)`,
    );
  }
  gatewayOps++;
  const json = stringifyJson(plain);
  const reply = (await through(() => crossing(bridge.host(op, json)))).value;
  if (!reply.ok) throw gatewayError("GatewayError", reply.error);
  if (reply.value === undefined) return undefined;
  // Charged as the agent's own JSON.parse is (metered-builtins.js), whether or not its code names it: a stored value
  // may be 1 MiB, and a loop of state.get() would otherwise parse it again and again for free.
  spend(reply.value.length * COPY_STEPS_PER_CHAR);
  return parseJson(reply.value);
}

/** One console argument as text: a string as is, other primitives as the code would write them, the rest as JSON. */
function formatArg(value) {
  if (typeof value === "string") return value;
  // JSON has no undefined or BigInt: `console.log(x)` with x undefined must not read as null, nor 1n as "1n".
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${toText(value)}n`;
  if (value instanceof ErrorCtor) return value.stack || `${value.name}: ${value.message}`;
  try {
    return stringifyJson(convertJsonSafe(value, MAX_LOG_VALUES, spend)) ?? toText(value);
  } catch {
    return toText(value);
  }
}

function pushLog(level, args) {
  if (logsTruncated) return;
  let text = "";
  for (let i = 0; i < args.length; i++) text += i === 0 ? formatArg(args[i]) : ` ${formatArg(args[i])}`;
  const line = (level === "log" ? "" : `[${level}] `) + text;
  const bytes = line.length;
  if (logs.length >= limits.maxLogLines || logBytes + bytes > limits.maxLogBytes) {
    logsTruncated = true;
    const marker = `…[logs truncated: limit ${limits.maxLogLines} lines / ${limits.maxLogBytes} bytes (max_log_lines / max_log_bytes)]`;
    append(logs, marker);
    // Streamed too: the client sees why the lines stop, and so do the logs the host keeps if the run never replies.
    streamLog("log", "warning", marker);
    return;
  }
  logBytes += bytes;
  append(logs, line);
  streamLog(level, LOG_LEVELS[level] ?? "info", text);
}

/**
 * A live log notification for the client, batched and within the notification budget (notify-queue.js). `method`
 * (the console method) lets the host keep the line as the logs show it (`[info] ` for console.info, none for log).
 */
function streamLog(method, level, line) {
  if (limits.streamLogs && bridge) notify({ __proto__: null, type: "log", level, method, line });
}

const LOG_LEVELS = { __proto__: null, log: "info", info: "info", warn: "warning", error: "error", debug: "debug" };

for (const level of ["log", "info", "warn", "error", "debug"]) {
  console[level] = (...args) => pushLog(level, args);
}

// The console's other methods print through the same logs: workerd would write them to its own output, where the
// agent never sees them. Labels are the agent's data: kept in objects without a prototype.
const counts = { __proto__: null };
const timers = { __proto__: null };
const now = Date.now;
const labelOf = (label) => (label === undefined ? "default" : toText(label));
/** `args` with `first` before them, built without the iterator the agent's code may have replaced. */
function withFirst(first, args) {
  const all = [first];
  for (let i = 0; i < args.length; i++) append(all, args[i]);
  return all;
}
console.dir = console.table = (value) => pushLog("log", [value]);
console.trace = (...args) => pushLog("log", withFirst("Trace:", args));
console.assert = (ok, ...args) => ok || pushLog("error", withFirst("Assertion failed:", args));
console.count = (label) => {
  const key = labelOf(label);
  counts[key] = (counts[key] ?? 0) + 1;
  pushLog("log", [`${key}: ${counts[key]}`]);
};
console.countReset = (label) => delete counts[labelOf(label)];
console.time = (label) => (timers[labelOf(label)] = now());
console.timeLog = (label) => {
  const key = labelOf(label);
  if (timers[key] !== undefined) pushLog("log", [`${key}: ${now() - timers[key]} ms`]);
};
console.timeEnd = (label) => {
  console.timeLog(label);
  delete timers[labelOf(label)];
};
console.group = console.groupCollapsed = (...args) => args.length > 0 && pushLog("log", args);
console.groupEnd = () => {};

/** A copy of the log lines (the program's leftover work may still log while the harness reports). */
export function takeLogs() {
  const copy = [];
  for (let i = 0; i < logs.length; i++) append(copy, logs[i]);
  return copy;
}

/**
 * Turns the returned value into JSON-safe data (worker-loader/plain-data.js): cycles, BigInt, Map, Set, Date and
 * Errors become readable stand-ins, and at most MAX_RESULT_VALUES values are produced.
 */
export function toJsonSafe(value) {
  return convertJsonSafe(value, MAX_RESULT_VALUES);
}
