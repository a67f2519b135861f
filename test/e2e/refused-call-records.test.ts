/**
 * Attacker finding (helper-58): calls the sandbox refuses (past max_tool_calls, or still waiting when the program
 * ends) reach the host in notification batches, and LiveExecution.recordRefused merges a refusal only into the
 * trace's last record. A program that calls 100 tools in turn past the limit, yielding between rounds, sends a batch
 * of 100 kinds per round, and the session object keeps one record per kind per batch: 228,900 records (+70 MB in the
 * session object's isolate) from one 24 s execution with max_tool_calls 1, bounded only by the batch count. Refused
 * calls of one tool and reason must stay a bounded number of records however many batches bring them.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

let upstream: Upstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  upstream = await startNodeUpstream("test/support/faulty-upstream.mjs", ["--tool-set=huge", "--tool-count=200"]);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      limits: { max_tool_calls: 1 },
      servers: [{ name: "big", url: upstream.url }],
    },
  });
  session = await connect(gateway.mcpUrl);
});

after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

test("refused calls of 100 tools over many batches stay a bounded number of trace records", async () => {
  const { tools } = await session.data("list_tool_names", { server: "big", limit: 100 });
  const ids = (tools as string[]).map((t) => t.slice("big.".length));
  assert.equal(ids.length, 100);
  const code = `import * as big from "servers/big";
const fs = ${JSON.stringify(ids)}.map((n) => big[n]);
for (let round = 0; round < 200; round++) {
  await Promise.all(fs.map((f) => f({}).catch(() => {})));
  await new Promise((r) => setTimeout(r, 1));
}
return "done";`;
  const r = await run(session, code, { timeout_ms: 60_000 });
  assert.equal(r.result, "done", r.text);
  // 20,000 calls were made; all but the first were refused in the sandbox.
  assert.equal(r.tool_calls_total, 20_000);
  // The history's record count is the host's trace (up to the 10,000 records it sends to the history).
  const { executions } = await session.data("list_executions", { limit: 1 });
  assert.equal(executions[0].execution_id, r.execution_id);
  const records = executions[0].tool_call_count as number;
  assert.ok(records <= 1_000, `the host kept ${records} trace records for 100 tools' refusals`);
});
