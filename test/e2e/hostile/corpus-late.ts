/**
 * Late and unhandled async work: timers and promise chains that outlive the execution, calls left in flight, and
 * rejections nobody handles. A call arriving after the end is rejected on the host and never reaches the upstream;
 * a call still in flight at the end is reported as `timeout` (sent, effect unknown).
 */
import assert from "node:assert/strict";
import { type Execution, fails, returns, type Sample, STEP_BUDGET } from "./sample";

/** Long enough for late timers (100 to 800 ms) to fire and their calls to arrive if they could. */
const SETTLE_MS = 1_200;

export const lateSamples: Sample[] = [
  {
    name: "a timer calling a tool after the return never reaches the upstream",
    class: "late",
    code: "import { echo } from 'servers/slow';\nsetTimeout(() => { echo({ value: 'late' }).catch(() => {}); }, 100);\nreturn 'returned';",
    expect: returns("returned"),
    upstreamCalls: 0,
    settleMs: SETTLE_MS,
  },
  {
    name: "a promise chain calling a tool after the return never reaches the upstream",
    class: "late",
    code: "import { echo } from 'servers/slow';\nPromise.resolve().then(() => new Promise((r) => setTimeout(r, 100))).then(() => echo({ value: 'late' })).catch(() => {});\nreturn 'returned';",
    expect: returns("returned"),
    upstreamCalls: 0,
    settleMs: SETTLE_MS,
  },
  {
    name: "a timer firing after the execution timed out cannot reach the upstream",
    class: "late",
    code: "import { echo } from 'servers/slow';\nsetTimeout(() => { echo({ value: 'late' }).catch(() => {}); }, 800);\nawait new Promise(() => {});",
    args: { timeout_ms: 400 },
    expect: fails("timeout", /timed out after 400 ms/),
    upstreamCalls: 0,
    settleMs: SETTLE_MS,
  },
  {
    name: "a call left in flight at the return is reported as timeout, not forgotten",
    class: "late",
    code: "import { sleep, echo } from 'servers/slow';\nsleep({ ms: 300 });\nawait echo({ value: 1 });\nreturn 'returned';",
    expect: (r: Execution) => {
      returns("returned")(r);
      const sleep = r.tool_calls.find((c) => c.tool === "sleep")!;
      assert.match(sleep.error!, /still running when the execution ended \(it was not awaited\)/);
    },
    calls: ["slow.echo:ok", "slow.sleep:timeout"],
    upstreamCalls: 2,
    settleMs: 500,
  },
  {
    name: "calls in flight when the execution times out are reported as timeout",
    class: "late",
    code: "import { sleep } from 'servers/slow';\nawait sleep({ ms: 1_000 });",
    args: { timeout_ms: 300 },
    expect: fails("timeout", /timed out after 300 ms/),
    calls: ["slow.sleep:timeout"],
    upstreamCalls: 1,
    settleMs: 1_000,
  },
  {
    name: "an unhandled rejection is reported in the warnings and the result still comes back",
    class: "late",
    code: "Promise.reject(new Error('nobody listens'));\nawait new Promise((r) => setTimeout(r, 20));\nreturn 'returned';",
    expect: (r: Execution) => {
      returns("returned")(r);
      assert.deepEqual(r.logs, []);
      assert.deepEqual(r.warnings, [
        { message: "Unhandled promise rejection: Error: nobody listens (at line 1 of your code)" },
      ]);
    },
  },
  {
    name: "a timer left behind that runs while rejections are collected is still metered",
    class: "late",
    code: "setTimeout(() => new Array(2 ** 32 - 1).indexOf(1), 0);\nreturn 'returned';",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "a tool call in a catch block after the budget is spent is refused",
    class: "late",
    code: "import { echo } from 'servers/slow';\ntry { for (;;) {} } catch {}\nreturn await echo({ value: 'after the budget' });",
    expect: fails("step_budget", STEP_BUDGET),
    upstreamCalls: 0,
  },
  {
    name: "an interval left running does not hold the session",
    class: "late",
    code: "setInterval(() => {}, 1);\nreturn 'returned';",
    expect: returns("returned"),
  },
  {
    name: "a rejected tool call nobody awaits is still recorded",
    class: "late",
    code: "import { fail, echo } from 'servers/slow';\nconst p = fail({ message: 'ignored' });\nawait echo({ value: 1 });\nawait p.catch(() => {});\nreturn 'returned';",
    expect: returns("returned"),
    calls: ["slow.fail:error", "slow.echo:ok"],
    upstreamCalls: 2,
  },
  {
    name: "a budget error swallowed in a promise chain still ends the execution at once",
    class: "late",
    code: "Promise.resolve().then(() => { for (;;) {} }).catch(() => {});\nawait new Promise((r) => setTimeout(r, 30_000));",
    expect: fails("step_budget", STEP_BUDGET),
  },
];
