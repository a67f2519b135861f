// Runs INSIDE the sandbox isolate, installed by the harness before the agent's code runs. The isolate has no network
// (`globalOutbound: null`), and workerd says so in words meant for a Worker's author ("use capabilities such as
// bindings in env"), which the agent's code does not have. These stand-ins fail with the gateway's words instead:
// what is missing, and the way that works. The block itself stays workerd's: a stand-in deleted or bypassed only
// brings back workerd's error.

const NO_NETWORK =
  'the sandbox has no network. Reach the outside through tools: import them from "servers/<name>" ' +
  '(search_tools finds them), e.g. import { read_file } from "servers/workspace".';

function unavailable(what) {
  return new Error(`${what} is not available: ${NO_NETWORK}`);
}

/**
 * `fn`, named `name`: the build minifies this module (scripts/build-sandbox.mjs) and drops or mangles the names of
 * function expressions and declarations, which the agent's code would otherwise see (`fetch.name`).
 */
function named(name, fn) {
  Object.defineProperty(fn, "name", { value: name });
  return fn;
}

function define(name, value) {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

/** A subclass that refuses to construct, so `instanceof` and static members of the original still work. */
function refusingClass(name) {
  const Original = globalThis[name];
  if (typeof Original !== "function") return;
  define(
    name,
    class extends Original {
      constructor() {
        throw unavailable(`new ${name}()`);
      }
    },
  );
}

/** Replaces the sandbox's network APIs with ones that explain there is no network. */
export function replaceNetworkApis() {
  // fetch() rejects rather than throws, as the real one does for a network failure.
  define(
    "fetch",
    named("fetch", async function fetch() {
      throw unavailable("fetch()");
    }),
  );
  // Not a global in Workers (it comes from cloudflare:sockets, which cannot be imported here), but the name models
  // reach for: answering with the reason beats "connect is not defined".
  define(
    "connect",
    named("connect", function connect() {
      throw unavailable("connect()");
    }),
  );
  refusingClass("WebSocket");
  refusingClass("EventSource");
  if (typeof globalThis.navigator?.sendBeacon === "function") {
    try {
      Object.defineProperty(globalThis.navigator, "sendBeacon", {
        value: named("sendBeacon", function sendBeacon() {
          throw unavailable("navigator.sendBeacon()");
        }),
        writable: true,
        configurable: true,
      });
    } catch {}
  }
}
