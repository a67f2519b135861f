// Runs INSIDE the sandbox isolate, installed by runtime.js while the modules evaluate, before the agent's code runs. It closes what the
// isolate's configuration and the step guard leave open, locally where workerd enforces no CPU limit as well as in
// production (which also has `limits.cpuMs`):
//
// - Shared storage: the Cache API, a channel between executions of different sessions.
// - Node.js and Cloudflare modules: the isolate inherits nodejs_compat, and `process.getBuiltinModule` would hand the
//   agent `cloudflare:workers` (its env with the bridge, waitUntil, abortIsolate) and `node:*` modules even though
//   static imports of them are refused.
// - Regular expressions (worker-loader/regex-guard.js): V8's backtracking engine cannot be interrupted, so each pattern
//   runs natively only when its work is proven small (and charged), otherwise on a metered linear-time engine.
//   URLPattern compiles its patterns into V8 regexes the guard never sees (`*a*a*a*a*b` on 300 characters ran 21 s
//   without naming RegExp), so it is refused.
// - Built-ins that loop over a huge length without calling back into agent code: metered-builtins.js.
//
// Best effort by design: a program that first rewrites the built-ins the regex planner relies on (String and Array
// methods) can confuse it; only production's CPU limit is absolute.
import { installRegExpGuard } from "./regex-guard.js";

// Everything the guards use at call time is bound here, before the agent's code can replace the globals.
const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
const createObject = Object.create;
const freeze = Object.freeze;

const blocked = (what, instead) => () => {
  throw new Error(`${what} is not available in the sandbox; ${instead}`);
};

const BUILTIN_MODULES_BLOCKED = blocked(
  "process.getBuiltinModule (Node.js and Cloudflare modules)",
  'use web APIs (crypto.subtle, TextEncoder, URL, CompressionStream) and tools imported from "servers/<name>"',
);
const EXIT_BLOCKED = blocked("process.exit", "return a value (or throw an Error) to end the program");
const ABORT_BLOCKED = blocked("process.abort", "throw an Error to end the program");

/**
 * The isolate runs without nodejs_compat (src/sandbox/executor.ts), so workerd gives it no `process`: a small frozen
 * stand-in keeps what programs written for Node.js reach for first (`process.env`, empty) and refuses the rest with
 * a reason. Should a runtime provide a real `process` after all, its dangerous methods are replaced in place.
 */
function lockDownProcess() {
  // `in` reads no getter: touching a lazily built `process` is what costs.
  if (!("process" in globalThis)) {
    const standIn = freeze({
      __proto__: null,
      env: freeze(createObject(null)),
      getBuiltinModule: BUILTIN_MODULES_BLOCKED,
      exit: EXIT_BLOCKED,
      abort: ABORT_BLOCKED,
    });
    defineProperty(globalThis, "process", { value: standIn, writable: false, enumerable: false, configurable: false });
    return;
  }
  const proc = globalThis.process;
  if (!proc || typeof proc !== "object") return;
  const replace = (name, fn) => {
    if (typeof proc[name] === "function")
      defineProperty(proc, name, { value: fn, writable: false, configurable: false });
  };
  replace("getBuiltinModule", BUILTIN_MODULES_BLOCKED);
  replace("exit", EXIT_BLOCKED);
  replace("abort", ABORT_BLOCKED);
}

/**
 * The Cache API is storage that outlives the execution (in production, shared by everything in the zone): executions
 * of different sessions could pass data through it. Programs keep data in tools or the `gateway` state instead.
 */
function removeSharedStorage() {
  for (let o = globalThis; o !== null; o = getPrototypeOf(o)) {
    const desc = getOwnPropertyDescriptor(o, "caches");
    if (desc?.configurable) delete o.caches;
  }
}

/**
 * URLPattern turns every pattern, even one without a regex group, into a regular expression V8 runs with backtracking
 * (wildcards become `(.*)`): nothing can charge or interrupt that work. It lives on the global scope's prototype, so
 * it is removed there and the global name refuses with the reason and what to use instead.
 */
function refuseUrlPattern() {
  for (let o = globalThis; o !== null; o = getPrototypeOf(o)) {
    const desc = getOwnPropertyDescriptor(o, "URLPattern");
    if (desc?.configurable) delete o.URLPattern;
  }
  const refused = function URLPattern() {
    throw new TypeError(
      "URLPattern is not available in the sandbox: its patterns run on V8's backtracking regex engine, which the " +
        "sandbox cannot meter or interrupt. Parse the URL with new URL(text) and compare its parts with string " +
        "methods, or match them with a RegExp (which the sandbox guards).",
    );
  };
  // The build's minifier drops a function expression's own name, which `URLPattern.name` shows the agent.
  defineProperty(refused, "name", { value: "URLPattern" });
  defineProperty(globalThis, "URLPattern", { value: refused, writable: true, enumerable: false, configurable: true });
}

/**
 * Installs every guard but the metered built-ins ({@link meterBuiltins}, installed once the host has said which the
 * code can reach). `spend(n)` charges n steps to the execution's budget and throws once it is spent; `refund(n)` gives
 * back steps charged in advance for work that did not happen (a regex match that ended early).
 */
export function installGuards(spend, refund) {
  lockDownProcess();
  removeSharedStorage();
  refuseUrlPattern();
  installRegExpGuard(spend, refund);
}
