// Runs INSIDE the sandbox isolate. Promise rejections nobody handled are kept until the execution ends and then
// reported in its result (`warnings`), so a failure in a promise the code forgot to await is not silently lost.
// A rejection that gets a handler later (`rejectionhandled`, e.g. `await p.catch(…)` after other work) is forgotten.
// Only rejections seen before the harness reports are included: the execution does not wait for work it left behind.

/** Rejections kept with their reasons; beyond this only a count, so a flood of rejections cannot grow memory. */
const MAX_KEPT = 20;

// Bound now, before the agent's code can replace the built-ins these use.
const { apply } = Reflect;
const { has: mapHas, set: mapSet, delete: mapDelete, values: mapValues } = Map.prototype;
const sizeOf = Reflect.getOwnPropertyDescriptor(Map.prototype, "size").get;
const wait = setTimeout;
const kept = new Map();
let dropped = 0;

/** Starts listening; called once by the harness before the agent's code runs. */
export function trackRejections() {
  addEventListener("unhandledrejection", (event) => {
    if (apply(sizeOf, kept, []) >= MAX_KEPT) dropped++;
    else apply(mapSet, kept, [event.promise, event.reason]);
  });
  addEventListener("rejectionhandled", (event) => {
    if (apply(mapHas, kept, [event.promise])) apply(mapDelete, kept, [event.promise]);
    else if (dropped > 0) dropped--;
  });
}

/**
 * The reasons of rejections still unhandled, and how many more there were. workerd dispatches `unhandledrejection`
 * only after the turn that rejected has ended, so one timer turn passes first: `Promise.reject(e); return 1` would
 * otherwise return before its rejection is seen.
 */
export async function unhandledRejections() {
  await new Promise((resolve) => wait(resolve, 0));
  return { reasons: [...apply(mapValues, kept, [])], more: dropped };
}
