// Runs INSIDE the sandbox isolate. Every crossing of the bridge (tool calls, gateway operations, notification
// batches) passes this gate, which keeps one execution from flooding the process it shares with every other session:
//
// - At most `maxInFlight` calls cross at once; the rest wait here, in the sandbox's own memory, for a slot. The
//   waiting line cannot grow without end: calls are counted against their limits (runtime.js) before they queue.
// - Every so often the gate pauses: it admits no new call until a timer fires. Locally all isolates share one
//   thread, and workerd's event loop polls the network only when no event is queued: a chain of in-process RPC
//   calls (even awaited one by one, and above all 32 in parallel, each a long chain through the session and the
//   upstream) kept /health and every other session waiting for as long as it ran. The timer fires only once the
//   calls in flight are done or waiting on real I/O and the loop has polled, so the pause lets everyone else in;
//   when the calls in flight wait on the network, it costs under a millisecond.
//
// Written against the built-ins bound below, so agent code that replaces globals (Promise, setTimeout, Array
// methods, Object.prototype setters) cannot open the gate; the host bounds calls in flight again on its side.

const NativePromise = Promise;
const pause = setTimeout;
const now = Date.now;

/**
 * A pause comes after YIELD_EVERY crossings or PAUSE_AFTER_MS of bridge traffic, whichever is first (the clock
 * advances across I/O in Workers). Measured: /health stays well under 2 s while 2,000 parallel or 1,000 sequential
 * workspace calls run on a loaded 2-core machine; a pause costs one timer, under 1 ms.
 */
const YIELD_EVERY = 16;
const PAUSE_AFTER_MS = 50;

let maxInFlight = 32;
let inFlight = 0;
let crossings = 0;
/** While paused, no call is admitted; a timer ends the pause. */
let paused = false;
let lastPause = now();
/** FIFO of waiting calls as a linked list of null-prototype nodes (no Array methods, no inherited setters). */
let head = null;
let tail = null;
let waitingCount = 0;

/** Sets the bound (called once by runtime.js before the agent's code runs). */
export function configureGate(limit) {
  if (limit > 0) maxInFlight = limit;
}

/** Hands free slots to waiting calls, first come first served. */
function admitWaiting() {
  while (!paused && inFlight < maxInFlight && head !== null) {
    const n = head;
    head = n.next;
    if (head === null) tail = null;
    waitingCount--;
    inFlight++;
    n.resolve();
  }
}

function resume() {
  paused = false;
  lastPause = now();
  admitWaiting();
}

/** Resolves once a slot is held. */
function acquire(label) {
  if (!paused && inFlight < maxInFlight && head === null) {
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
  inFlight--;
  if (!paused) admitWaiting();
}

/** Counts one crossing and starts a pause when one is due. */
function counted() {
  if (paused) return;
  if (++crossings % YIELD_EVERY === 0 || now() - lastPause >= PAUSE_AFTER_MS) {
    paused = true;
    pause(resume, 0);
  }
}

/**
 * Runs `send` (one crossing) holding a slot; see the module comment for the bound and the pauses. `label` names the
 * call for {@link abandonWaiting}.
 */
export async function through(send, label) {
  const wait = acquire(label);
  if (wait !== undefined) await wait;
  counted();
  try {
    return await send();
  } finally {
    release();
  }
}
/**
 * Runs `send` outside the bound: for notification batches, of which at most one is on its way at a time
 * (notify-queue.js) and which must not wait behind slow tool calls, above all the final one before the result.
 * It still counts towards the next pause.
 */
export function bypass(send) {
  counted();
  return send();
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
