// Runs INSIDE the sandbox isolate. Promise rejections nobody handled are kept until the execution ends and then
// reported in its result (`warnings`), so a failure in a promise the code forgot to await is not silently lost.
// A rejection that gets a handler later (`rejectionhandled`, e.g. `await p.catch(…)` after other work) is forgotten.
// Only rejections seen before the harness reports are included: the execution does not wait for work it left behind.

/** Rejections kept with their reasons; beyond this only a count, so a flood of rejections cannot grow memory. */
const MAX_KEPT = 20;

// Bound now, before the agent's code can replace the built-ins these use.
const { apply } = Reflect;
const { has: mapHas, set: mapSet, delete: mapDelete, forEach: mapForEach } = Map.prototype;
const sizeOf = Reflect.getOwnPropertyDescriptor(Map.prototype, "size").get;
const wait = setTimeout;
const NativePromise = Promise;
const kept = new Map();
let dropped = 0;

/** Starts listening; called once by the harness before the agent's code runs. */
export function trackRejections() {
  // The event's getters are on a prototype the agent's code can reach: one that throws loses only that rejection.
  addEventListener("unhandledrejection", (event) => {
    try {
      if (apply(sizeOf, kept, []) >= MAX_KEPT) dropped++;
      else apply(mapSet, kept, [event.promise, event.reason]);
    } catch {}
  });
  addEventListener("rejectionhandled", (event) => {
    try {
      if (apply(mapHas, kept, [event.promise])) apply(mapDelete, kept, [event.promise]);
      else if (dropped > 0) dropped--;
    } catch {}
  });
}

/** The reasons kept, as a prototype-less list (no iterator or Array method the agent could have replaced). */
function collect() {
  const reasons = { __proto__: null };
  let count = 0;
  apply(mapForEach, kept, [
    (reason) => {
      reasons[count++] = reason;
    },
  ]);
  return { __proto__: null, reasons, count, more: dropped };
}

/**
 * The reasons of rejections still unhandled (`{ reasons, count, more }`: `reasons[0..count)`, and how many more there
 * were). workerd dispatches `unhandledrejection` only after the turn that rejected has ended, so one timer turn passes
 * first: `Promise.reject(e); return 1` would otherwise return before its rejection is seen.
 */
export function unhandledRejections() {
  return new NativePromise((resolve) => wait(() => resolve(collect()), 0));
}
