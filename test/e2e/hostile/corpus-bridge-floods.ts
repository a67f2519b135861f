/**
 * Bridge floods (issue 12.4): thousands of unawaited calls across the sandbox bridge, tool calls past max_tool_calls,
 * progress and log floods. Calls over a limit are refused in the sandbox before they cross (the host counts again),
 * calls in flight wait for a slot, and notifications stay within max_notification_bytes. hostile.test.ts probes
 * /health and another session while every flood sample runs, and bounds the notification bytes of every sample.
 */
import assert from "node:assert/strict";
import { fails, returns, type Sample, STEP_BUDGET } from "./sample";

/** The caps hostile.test.ts configures for these samples (the rest of its limits apply too: max_tool_calls 20). */
export const BRIDGE_FLOOD_LIMITS = {
  max_gateway_ops: 1_000,
  max_notification_bytes: 64 * 1024,
};

const TOOL_CAP = "tool call limit reached: max_tool_calls is 20 per execution";

export const bridgeFloodSamples: Sample[] = [
  {
    name: "10,000 unawaited state.get calls: 1,000 run, the rest are refused in the sandbox",
    class: "flood",
    code: `import { state } from "gateway";
const settled = await Promise.allSettled(Array.from({ length: 10_000 }, (_, i) => state.get("k" + i)));
const refused = settled.filter((s) => s.status === "rejected");
return [settled.length - refused.length, refused.length, refused[0].reason.message];`,
    expect: returns([
      1_000,
      9_000,
      "too many gateway operations: max_gateway_ops is 1000 per execution (state.*, state.last, state.result)",
    ]),
  },
  {
    name: "a large stored value read again and again is charged per character, like the code's own JSON.parse",
    class: "flood",
    code: `import { state } from "gateway";
await state.set("big", "x".repeat(1_000_000));
for (;;) await state.get("big");`,
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "state.get awaited one by one up to max_gateway_ops, then a clear error",
    class: "flood",
    code: `import { state } from "gateway";
for (let i = 0; i < 5_000; i++) await state.get("k");`,
    expect: fails("runtime", /GatewayError: too many gateway operations: max_gateway_ops is 1000 per execution/),
  },
  {
    name: "10,000 unawaited tool calls past max_tool_calls: 20 are sent, the rest are one rejected record",
    class: "flood",
    code: `import { echo } from "servers/slow";
const settled = await Promise.allSettled(Array.from({ length: 10_000 }, (_, i) => echo({ value: i })));
const refused = settled.filter((s) => s.status === "rejected");
return [settled.length - refused.length, refused.length, refused[0].reason.message];`,
    expect: (r) => {
      returns([20, 9_980, TOOL_CAP])(r);
      const rejected = r.tool_calls.find((c) => c.status === "rejected") as { error?: string; count?: number };
      assert.equal(rejected.error, TOOL_CAP);
      assert.equal(rejected.count, 9_980);
    },
    calls: ["slow.echo:rejected", ...Array(20).fill("slow.echo:ok")],
    upstreamCalls: 20,
  },
  {
    name: "10,000 progress calls with 1 KB messages are coalesced within max_notification_bytes",
    class: "flood",
    code: `import { progress } from "gateway";
const pad = "p".repeat(1_000);
for (let i = 1; i <= 10_000; i++) progress(i, 10_000, pad);
return "flooded";`,
    expect: returns("flooded"),
  },
  {
    name: "10,000 awaited progress calls with 1 KB messages end within the budget",
    class: "flood",
    code: `import { progress } from "gateway";
const pad = "q".repeat(1_000);
for (let i = 1; i <= 10_000; i++) await progress(i, 10_000, pad);
return "flooded";`,
    expect: returns("flooded"),
  },
  {
    name: "100,000 console lines of 1 KB stream no more than the budget",
    class: "flood",
    code: "for (let i = 0; i < 100_000; i++) console.log('l'.repeat(1_000));\nreturn 'done';",
    expect: (r) => {
      returns("done")(r);
      assert.match(r.logs.at(-1)!, /logs truncated/);
    },
  },
];
