// Runs INSIDE the sandbox isolate. Live notifications (console lines when the client listens, `progress()`) and tool
// calls refused in the sandbox leave in batches: one batch crosses the bridge at a time and everything emitted
// meanwhile rides in the next, so a burst of 10,000 `progress()` calls costs a handful of crossings, not 10,000.
//
// The sandbox keeps an output budget (max_notification_bytes): past it, events are not sent but counted, and the last
// progress value is kept. The final flush (before the harness returns) sends that value and an announcement of what
// was dropped, so the client sees them in order before the result. The host counts the same budget again, over the
// sandbox's events and its own tool-call events together.
import { bypass } from "./bridge-gate.js";

// Bound before the agent's code can replace the globals; it runs in this isolate until the final flush. Events have
// no prototype (no `toJSON` or getter the agent adds to Object.prototype is read from them), batches are built as
// text (no Array methods or index setters), and every promise awaited here has its own `constructor`: `await` reads
// it, and calls the agent's `then` when Promise.prototype's was replaced.
const stringifyJson = JSON.stringify;
const NativePromise = Promise;
const { defineProperty } = Reflect;
const NATIVE_CONSTRUCTOR = { __proto__: null, value: NativePromise };

/** `promise`, made safe to await whatever the agent did to Promise.prototype. */
function sealed(promise) {
  defineProperty(promise, "constructor", NATIVE_CONSTRUCTOR);
  return promise;
}

const RESOLVED = sealed(NativePromise.resolve());

/** Budget cost of one event beyond its text: the JSON-RPC envelope of the notification the client receives. */
const OVERHEAD_BYTES = 128;
const MAX_BATCH_EVENTS = 500;
/** Distinct (server, tool, reason) refusal kinds kept; more are folded into the last kind. */
const MAX_REFUSAL_KINDS = 100;

let send;
let budget = 256 * 1024;
let used = 0;
/** Events waiting to cross, as a null-prototype map from index (no Array methods the agent could replace). */
let queue = { __proto__: null };
let queued = 0;
let dropped = 0;
let droppedBytes = 0;
let lastDroppedProgress;
let refusals = { __proto__: null };
let refusalKinds = 0;
let lastRefusalKey;
let pumping;
/** Batches sent so far, and how many may go before the final flush (the host refuses more; see LiveExecution.notify). */
let batches = 0;
let maxBatches = Math.ceil(budget / OVERHEAD_BYTES) + 8;
let final = false;
/** Set once the host refused a batch: nothing more can be delivered. */
let closed = false;

/**
 * Wires the queue to the bridge (called once by runtime.js before the agent's code runs). `sendBatch(json)` returns
 * a native promise of `{ value: reply }`.
 */
export function configureNotifications(sendBatch, maxBytes) {
  send = sendBatch;
  if (maxBytes > 0) budget = maxBytes;
  maxBatches = Math.ceil(budget / OVERHEAD_BYTES) + 8;
}

/** As the host charges (src/sandbox/notification-budget.ts): progress goes out as two notifications, a line as one. */
function cost(event) {
  if (event.type === "log") return OVERHEAD_BYTES + event.line.length;
  return 2 * (OVERHEAD_BYTES + (event.message ?? "").length);
}

function enqueue(event) {
  queue[queued++] = event;
}

/** Whether anything waits to be sent (a tool call flushes it first, to keep the client's view in order). */
export function hasPending() {
  return queued > 0 || refusalKinds > 0;
}

/**
 * Queues one event (`{ type: "log", level, line }` or `{ type: "progress", current, total?, message? }`); resolves
 * once it reached the host, or at once when it was dropped over the budget.
 */
export function notify(event) {
  const bytes = cost(event);
  if (used + bytes > budget) {
    dropped++;
    droppedBytes += bytes;
    if (event.type === "progress") lastDroppedProgress = event;
    return RESOLVED;
  }
  used += bytes;
  enqueue(event);
  return schedule();
}

/** Reports a tool call refused in the sandbox (never sent), so the host records it as `rejected` in the trace. */
export function noteRefused(server, tool, error) {
  let key = `${server}\u0000${tool}\u0000${error}`;
  if (!(key in refusals)) {
    if (refusalKinds >= MAX_REFUSAL_KINDS) key = lastRefusalKey;
    else {
      refusals[key] = { __proto__: null, type: "refused", server, tool, error, count: 0 };
      refusalKinds++;
      lastRefusalKey = key;
    }
  }
  refusals[key].count++;
  schedule();
}

/** The next batch as the JSON the host reads, `{"events":[…]}`. */
function takeBatch() {
  let events = "";
  let n = 0;
  for (const key in refusals) events += (n++ === 0 ? "" : ",") + stringifyJson(refusals[key]);
  refusals = { __proto__: null };
  refusalKinds = 0;
  let i = 0;
  for (; i < queued && n < MAX_BATCH_EVENTS; i++) events += (n++ === 0 ? "" : ",") + stringifyJson(queue[i]);
  if (i === queued) {
    queue = { __proto__: null };
    queued = 0;
  } else {
    const rest = { __proto__: null };
    for (let j = i; j < queued; j++) rest[j - i] = queue[j];
    queue = rest;
    queued -= i;
  }
  return `{"events":[${events}]}`;
}

async function pump() {
  // One microtask first, so a synchronous burst leaves as one batch.
  await RESOLVED;
  try {
    // Past maxBatches what is pending waits for the final flush, where refusals and the last values still fit.
    while (hasPending() && !closed && (final || batches < maxBatches)) {
      const batch = takeBatch();
      batches++;
      const sent = await sealed(bypass(() => send(batch)));
      if (sent.value?.ok !== true) closed = true;
    }
  } catch {
    // The bridge refused (the execution ended): nothing more can be delivered.
  } finally {
    pumping = undefined;
  }
}

/** Starts sending if nothing is on its way; resolves when everything queued so far has been sent. */
export function schedule() {
  if (!send) return RESOLVED;
  pumping ??= sealed(pump());
  return pumping;
}

/** Sends what is left, the last dropped progress value, and how much was dropped; resolves when all is sent. */
export function flushNotifications() {
  final = true;
  if (dropped > 0) {
    if (lastDroppedProgress) enqueue(lastDroppedProgress);
    enqueue({ __proto__: null, type: "dropped", events: dropped, bytes: droppedBytes });
    dropped = 0;
    droppedBytes = 0;
    lastDroppedProgress = undefined;
  }
  return schedule();
}
