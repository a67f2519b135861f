// Runs INSIDE the sandbox isolate. Every crossing of the bridge (tool calls, gateway operations, notification
// batches) passes this gate, which keeps one execution from flooding the process it shares with every other session:
//
// - At most `maxInFlight` calls cross at once; the rest wait here, in the sandbox's own memory, for a slot. The
//   waiting line cannot grow without end: calls are counted against their limits (runtime.js) before they queue.
// - Every YIELD_EVERY crossings the gate waits for a timer. Locally all isolates share one thread, and workerd's event
//   loop polls the network only when no event is queued: a chain of in-process RPC calls (even awaited one by one)
//   kept /health and every other session waiting for as long as it ran. A timer lets the loop drain and poll.
//
// Written against the built-ins bound below, so agent code that replaces globals (Promise, setTimeout, Array
// methods, Object.prototype setters) cannot open the gate; the host bounds calls in flight again on its side.

const NativePromise = Promise;
const pause = setTimeout;

/** Crossings between two yields to the event loop (measured: 16 keeps /health under 50 ms during a flood). */
const YIELD_EVERY = 16;

let maxInFlight = 32;
let inFlight = 0;
let crossings = 0;
/** FIFO of waiting calls as a linked list of null-prototype nodes (no Array methods, no inherited setters). */
let head = null;
let tail = null;
let waitingCount = 0;

/** Sets the bound (called once by runtime.js before the agent's code runs). */
export function configureGate(limit) {
  if (limit > 0) maxInFlight = limit;
}

/** Resolves once a slot is held; the slot passes straight from a finishing call to the first waiter. */
function acquire(label) {
  if (inFlight < maxInFlight) {
    inFlight++;
    return undefined;
  }
  return new NativePromise((resolve, reject) => {
    const n = { __proto__: null, resolve, reject, label, next: null };
    if (tail === null) head = n;
    else tail.next = n;
    tail = n;
    waitingCount++;
  });
}

function release() {
  const next = head;
  if (next === null) {
    inFlight--;
    return;
  }
  head = next.next;
  if (head === null) tail = null;
  waitingCount--;
  next.resolve();
}

/**
 * Runs `send` (one crossing) holding a slot; every YIELD_EVERY crossings it first lets the event loop turn. `label`
 * names the call for {@link abandonWaiting}.
 */
export async function through(send, label) {
  const wait = acquire(label);
  if (wait !== undefined) await wait;
  try {
    if (++crossings % YIELD_EVERY === 0) await new NativePromise((resolve) => pause(resolve, 0));
    return await send();
  } finally {
    release();
  }
}

/** Calls waiting for a slot now. */
export function waiting() {
  return waitingCount;
}

/**
 * Refuses every call still waiting for a slot: the execution is ending and nothing awaits them any more, so they are
 * never sent. `onRefused(label)` is called for each, synchronously, so the refusals can be reported before the end.
 */
export function abandonWaiting(error, onRefused) {
  while (head !== null) {
    const n = head;
    head = n.next;
    onRefused(n.label);
    n.reject(error);
  }
  tail = null;
  waitingCount = 0;
}
