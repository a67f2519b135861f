/**
 * The retention counts from when a session's last request ended, not when it started
 * (src/session/session-retention.ts). It once counted from the start, and only executions counted as in use: with a
 * 5 s retention, a direct call that took 8 s had the session's storage deleted under it, 5.5 s after it started, and
 * one ending just before the alarm lost it 0.1 s after. The call here waits 8 s on a delaying upstream.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, startGateway } from "../support/gateway";
import { rawRequest } from "../support/raw-http";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const RETENTION_MS = 5_000;
const DELAY_MS = 8_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let upstream: Upstream;
let gateway: Gateway;
before(async () => {
  upstream = await startNodeUpstream("test/support/faulty-upstream.mjs", [
    "--fault-mode=delay",
    `--delay-ms=${DELAY_MS}`,
  ]);
  gateway = await startGateway({
    config: {
      allow_direct_tool_calls: true,
      network: { allow_loopback: true },
      servers: [{ name: "slow", url: upstream.url }],
      limits: { session_idle_retention_ms: RETENTION_MS, tool_call_timeout_ms: 30_000 },
    },
  });
});
after(async () => {
  await gateway?.dispose();
  await upstream?.stop();
});

async function probe(sessionId: string): Promise<number> {
  const res = await rawRequest(gateway.mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
  return res.status;
}

test("a request running past the retention keeps its session, and the retention counts from its end", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const set = await run(s, 'import { state } from "gateway";\nawait state.set("k", "v");\nreturn "set";');
    assert.equal(set.ok, true, set.text);
    const started = Date.now();
    const r = await s.client.callTool(
      { name: "call_tool", arguments: { server: "slow", tool: "echo", arguments: { text: "x" } } },
      undefined,
      { timeout: 60_000 },
    );
    assert.ok(Date.now() - started >= DELAY_MS - 500, "the call was not delayed");
    assert.notEqual(r.isError, true, JSON.stringify(r.content));
    // 2 s after the call ended (10 s after it started, twice the retention): the session and its state are there.
    await sleep(2_000);
    assert.equal(await probe(s.transport.sessionId!), 200);
    const got = await run(s, 'import { state } from "gateway";\nreturn await state.get("k");');
    assert.equal(got.result, "v", got.text);
  } finally {
    await s.close();
  }
});
