/**
 * The host's second count of the bridge limits (src/sandbox/live-execution.ts). The sandbox refuses first
 * (worker-loader/bridge-gate.js, runtime.js), so these paths cannot be reached from agent code: they are exercised
 * here against a stand-in upstream whose calls the test releases.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayConfigSchema, type Limits } from "../../../src/config";
import type { Catalog, Registry } from "../../../src/registry/registry";
import { MAX_RECORDED_CHARS } from "../../../src/sandbox/approval";
import { LiveExecution } from "../../../src/sandbox/live-execution";

const TOOL = {
  server: "s",
  serverId: "s",
  name: "t",
  id: "t",
  description: "",
  inputSchema: { type: "object" },
  hash: "h",
};

function liveWith(limits: Partial<Limits>, text = "done") {
  const waiting: Array<() => void> = [];
  const registry = {
    connection: () => ({
      config: { name: "s", url: "https://example.com" },
      secrets: [],
      callTool: () => new Promise((resolve) => waiting.push(() => resolve({ content: [{ type: "text", text }] }))),
    }),
  } as unknown as Registry;
  const catalog = {
    byName: new Map([["s", { byUpstreamName: new Map([["t", TOOL]]) }]]),
  } as unknown as Catalog;
  const live = new LiveExecution("exe_test", {
    catalog,
    registry,
    limits: { ...GatewayConfigSchema.parse({}).limits, ...limits },
  });
  const release = () => {
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { live, release };
}

test("a tool call over max_calls_in_flight is rejected on the host without reaching the upstream", async () => {
  const { live, release } = liveWith({ max_calls_in_flight: 2 });
  const first = [live.callTool("s", "t", "{}"), live.callTool("s", "t", "{}")];
  assert.deepEqual(await live.callTool("s", "t", "{}"), {
    ok: false,
    status: "rejected",
    error: "too many tool calls in flight: max_calls_in_flight is 2 per execution",
  });
  release();
  assert.deepEqual(await Promise.all(first), [
    { ok: true, value: '"done"' },
    { ok: true, value: '"done"' },
  ]);
  const again = live.callTool("s", "t", "{}");
  release();
  assert.equal((await again).ok, true, "a slot is free again once calls finish");
});

test("gateway operations over max_gateway_ops are refused with a message naming the limit", () => {
  const { live } = liveWith({ max_gateway_ops: 2 });
  assert.equal(live.countHostOp(), undefined);
  assert.equal(live.countHostOp(), undefined);
  assert.equal(
    live.countHostOp(),
    "too many gateway operations: max_gateway_ops is 2 per execution (state.*, state.last, state.result)",
  );
});

test("refusals reported by the sandbox become rejected records; identical ones in a row share one with a count", () => {
  const { live } = liveWith({});
  const batch = (count: number) =>
    JSON.stringify({ events: [{ type: "refused", server: "s", tool: "t", error: "limit", count }] });
  assert.deepEqual(live.notify(batch(3)), { ok: true });
  assert.deepEqual(live.notify(batch(4)), { ok: true });
  assert.deepEqual(
    live.calls.map(({ status, error, count }) => ({ status, error, count })),
    [{ status: "rejected", error: "limit", count: 7 }],
  );
});

test("notification batches past what max_notification_bytes can carry are refused", () => {
  const { live } = liveWith({ max_notification_bytes: 128 });
  const batch = JSON.stringify({ events: [] });
  for (let i = 0; i < 17; i++) assert.deepEqual(live.notify(batch), { ok: true });
  assert.deepEqual(live.notify(batch), {
    ok: false,
    status: "rejected",
    error: "too many notification batches for max_notification_bytes",
  });
});

test("replies kept for a resumption stop at what an approval handle can hold, and the overflow is counted", async () => {
  // 900 KB per reply: 37 of them pass the 32 MiB a handle keeps. Before this bound every reply stayed in the session
  // object until the execution ended (5,000 calls of 1 MiB: 5 GB).
  const { live, release } = liveWith({}, "x".repeat(900_000));
  const call = async (i: number) => {
    const reply = live.callTool("s", "t", JSON.stringify({ i }));
    release();
    assert.equal((await reply).ok, true);
  };
  for (let i = 0; i < 30; i++) await call(i);
  assert.equal(live.recorded.length, 30);
  assert.ok(live.recordedChars > 30 * 900_000 && live.recordedChars <= MAX_RECORDED_CHARS);
  for (let i = 30; i < 60; i++) await call(i);
  assert.equal(live.recorded.length, 0, "nothing is kept once the recorded calls pass the cap");
  assert.ok(live.recordedChars > MAX_RECORDED_CHARS, String(live.recordedChars));
  assert.equal(live.calls.length, 60, "every call is still in the execution's record");
});
