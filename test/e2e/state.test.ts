import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connect, run, startGateway } from "../support/gateway";

describe("state between executions", () => {
  test("values set in one execution are read in the next; keys, delete and caps behave", async () => {
    const gateway = await startGateway();
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(
        s,
        `import { state } from "gateway";
await state.set("count", 41);
await state.set("user:ann", { langs: ["ts"] });
await state.set("user:bob", { langs: [] });
return "stored";`,
      );
      assert.equal(first.ok, true, first.text);
      const second = await run(
        s,
        `import { state } from "gateway";
const count = (await state.get("count")) + 1;
await state.set("count", count);
const users = await state.keys("user:");
const existed = await state.delete("user:bob");
return { count, users, existed, after: await state.keys(), missing: await state.get("nope") ?? null };`,
      );
      assert.equal(second.ok, true, second.text);
      assert.deepEqual(second.result, {
        count: 42,
        users: ["user:ann", "user:bob"],
        existed: true,
        after: ["count", "user:ann"],
        missing: null,
      });
      const tooBig = await run(
        s,
        `import { state } from "gateway";
try { await state.set("big", "x".repeat(2 * 1024 * 1024)); return "stored"; } catch (e) { return e.message; }`,
      );
      assert.match(tooBig.result, /^state\.set\("big", value\): the value is \d+ bytes; the limit is 1048576 per key$/);
      const notJson = await run(
        s,
        `import { state } from "gateway";
try { await state.set("fn", { f: () => 1 }); return "stored"; } catch (e) { return e.message; }`,
      );
      assert.equal(notJson.result, 'state.set("fn", value): /value/f: functions cannot be stored in state');
    } finally {
      await s.close();
      await gateway.dispose();
    }
  });

  test("state.set(key, undefined) is refused naming the key and what to do, and the stored value stays", async () => {
    const gateway = await startGateway();
    const s = await connect(gateway.mcpUrl);
    try {
      const r = await run(
        s,
        `import { state } from "gateway";
await state.set("draft", { v: 1 });
let refused = null;
try { await state.set("draft", undefined); } catch (e) { refused = [e.name, e.message]; }
const cycle: any = {}; cycle.self = cycle;
let cyclic = null;
try { await state.set("loop", cycle); } catch (e) { cyclic = e.message; }
const long = "k".repeat(300);
let named = null;
try { await state.set(long, undefined); } catch (e) { named = e.message; }
let dated = null;
try { await state.set("when", new Date(0)); } catch (e) { dated = e.message; }
return { refused, cyclic, named, dated, keys: await state.keys(), draft: await state.get("draft") };`,
      );
      assert.equal(r.ok, true, r.text);
      assert.deepEqual(r.result.refused, [
        "TypeError",
        'state.set("draft", value): the value is undefined, which state cannot keep (it keeps JSON values): to remove the key, call state.delete(key); to keep an empty value, store null',
      ]);
      assert.equal(r.result.cyclic, 'state.set("loop", value): /value/self: cyclic structure');
      // A Date is the value most often refused: the refusal says how to store it.
      assert.equal(
        r.result.dated,
        'state.set("when", value): /value: Date is not plain JSON: convert it first, date.toISOString() for text (new Date(text) reads it back) or date.getTime() for milliseconds',
      );
      // A key is the program's data: quoted cut, never whole.
      assert.match(r.result.named, /^state\.set\("k{64}…", value\): the value is undefined/);
      assert.deepEqual(r.result.keys, ["draft"]);
      assert.deepEqual(r.result.draft, { v: 1 });
    } finally {
      await s.close();
      await gateway.dispose();
    }
  });

  test("state.last() and state.result(id) read earlier executions' results", async () => {
    const gateway = await startGateway();
    const s = await connect(gateway.mcpUrl);
    try {
      const a = await run(s, `return { rows: [1, 2, 3] };`);
      const b = await run(
        s,
        `import { state } from "gateway";
const last = await state.last();
const byId = await state.result(${JSON.stringify(a.execution_id)});
return { lastId: last.execution_id, sum: byId.rows.reduce((x, y) => x + y, 0) };`,
      );
      assert.equal(b.ok, true, b.text);
      assert.deepEqual(b.result, { lastId: a.execution_id, sum: 6 });
    } finally {
      await s.close();
      await gateway.dispose();
    }
  });
});

describe("execution history", () => {
  test("list_executions and get_execution return code, result, logs and the tool-call trace", async () => {
    const gateway = await startGateway();
    const s = await connect(gateway.mcpUrl);
    try {
      const ok = await run(
        s,
        `import { write_file } from "servers/workspace";
console.log("writing");
await write_file({ path: "/h.txt", content: "x" });
return 7;`,
      );
      await run(s, `throw new Error("nope")`);
      const { executions } = await s.data("list_executions", { limit: 5 });
      assert.equal(executions.length, 2);
      assert.equal(executions[0].ok, false);
      assert.match(executions[0].summary, /nope/);
      assert.equal(executions[1].execution_id, ok.execution_id);
      assert.equal(executions[1].tool_call_count, 1);
      const record = await s.data("get_execution", { id: ok.execution_id });
      assert.equal(record.result, 7);
      assert.deepEqual(record.logs, ["writing"]);
      assert.match(record.code, /write_file/);
      assert.equal(record.tool_calls[0].tool, "write_file");
      assert.equal(record.tool_calls[0].status, "ok");
      const missing = await s.call("get_execution", { id: "exe_nope" });
      assert.equal(missing.isError, true);
    } finally {
      await s.close();
      await gateway.dispose();
    }
  });
});

test("the session, its state and the workspace survive a restart of the local server", async () => {
  const first = await startGateway({ keepState: true });
  const s = await connect(first.mcpUrl);
  const sessionId = s.transport.sessionId!;
  const stored = await run(
    s,
    `import { state } from "gateway";
import { write_file } from "servers/workspace";
await state.set("k", { v: 1 });
await write_file({ path: "/persist.txt", content: "kept" });
return "ok";`,
  );
  assert.equal(stored.ok, true, stored.text);
  await first.dispose();

  const second = await startGateway({ persistDir: first.persistDir });
  try {
    // Resume the same MCP session on the restarted server (no new initialize).
    const client = new Client({ name: "resume", version: "0" });
    const transport = new StreamableHTTPClientTransport(second.mcpUrl, { sessionId });
    await client.connect(transport);
    const r = (await client.callTool({
      name: "execute_code",
      arguments: {
        code: `import { state } from "gateway";
import { read_file } from "servers/workspace";
return { state: await state.get("k"), file: await read_file({ path: "/persist.txt" }) };`,
      },
    })) as any;
    assert.equal(r.isError, undefined, JSON.stringify(r.content));
    assert.deepEqual(r.structuredContent.result, { state: { v: 1 }, file: "kept" });
    await client.close();
  } finally {
    await second.dispose();
    rmSync(first.persistDir, { recursive: true, force: true });
  }
});
