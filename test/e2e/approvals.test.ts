import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

let gateway: Gateway;
before(async () => {
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace", approval: { tools: { search_files: "deny" } } }],
    },
  });
});
after(async () => {
  await gateway?.dispose();
});

const COUNT_THEN_DELETE = `import { read_file, write_file, delete_file } from "servers/workspace";
let n = 0;
try { n = Number(await read_file({ path: "/count.txt" })); } catch {}
await write_file({ path: "/count.txt", content: String(n + 1) });
await delete_file({ path: "/victim.txt" });
return n + 1;`;

async function seed(s: Session) {
  const r = await run(
    s,
    `import { write_file, delete_file } from "servers/workspace";
await write_file({ path: "/count.txt", content: "0" });
await write_file({ path: "/victim.txt", content: "bye" });
return "seeded";`,
  );
  assert.equal(r.ok, true, r.text);
}

describe("approval without elicitation: approval_required and approve_call", () => {
  test("delete_file (destructive) stops the execution with a handle; approve_call finishes it without re-running earlier calls", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await seed(s);
      const first = await run(s, COUNT_THEN_DELETE);
      assert.equal(first.isError, false, first.text);
      assert.equal(first.status, "approval_required");
      assert.equal(first.approval.server, "workspace");
      assert.equal(first.approval.tool, "delete_file");
      assert.deepEqual(first.approval.arguments, { path: "/victim.txt" });
      assert.match(first.approval.handle, /^apr_[0-9a-f]{32}$/);
      assert.deepEqual(
        first.tool_calls.map((c: any) => `${c.tool}:${c.status}:${c.approval?.decision}`),
        ["read_file:ok:allowed", "write_file:ok:allowed", "delete_file:rejected:pending"],
      );

      const resumed = await s.call("approve_call", { handle: first.approval.handle });
      const r = resumed.structuredContent as any;
      assert.equal(r.ok, true, (resumed.content[0] as any).text);
      assert.equal(r.result, 1);
      assert.deepEqual(
        r.tool_calls.map((c: any) => `${c.tool}:${c.status}:${c.replayed === true}`),
        ["read_file:ok:true", "write_file:ok:true", "delete_file:ok:false"],
      );
      assert.equal(r.tool_calls[2].approval.by, "user (approve_call)");
      // Had read_file or write_file run again, the counter would read 2.
      const check = await run(
        s,
        `import { read_file, list_directory } from "servers/workspace";
return { count: await read_file({ path: "/count.txt" }), files: (await list_directory({ path: "/" })).entries.map((e) => e.name) };`,
      );
      assert.deepEqual(check.result, { count: "1", files: ["count.txt"] });

      const reused = await s.call("approve_call", { handle: first.approval.handle });
      assert.equal(reused.isError, true);
      // It names the re-run, as it does after an approval on the dashboard.
      assert.match(
        (reused.content[0] as any).text,
        new RegExp(`already used \\(approved\\); its re-run is execution ${r.execution_id} \\(get_execution\\)`),
      );
    } finally {
      await s.close();
    }
  });

  test("after approve_call, the stopped execution's record says approved, by whom and when, and names its re-run", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await seed(s);
      const first = await run(s, COUNT_THEN_DELETE);
      assert.equal(first.status, "approval_required", first.text);
      const rerun = (await s.call("approve_call", { handle: first.approval.handle })).structuredContent as any;
      assert.equal(rerun.ok, true);

      const record = await s.data("get_execution", { id: first.execution_id });
      assert.equal(record.status, "approved");
      assert.equal(record.approval.handle, first.approval.handle);
      assert.deepEqual(
        [record.approval.decision, record.approval.by, record.approval.rerun],
        ["approved", "user (approve_call)", rerun.execution_id],
      );
      assert.ok(!Number.isNaN(Date.parse(record.approval.at)));
      assert.equal(
        record.error.message,
        `workspace.delete_file needed approval: approved by user (approve_call) at ${record.approval.at}; its re-run is execution ${rerun.execution_id}`,
      );
      const { executions } = await s.data("list_executions", { limit: 5 });
      const listed = executions.find((e: any) => e.execution_id === first.execution_id);
      assert.equal(listed.status, "approved");
      assert.match(
        listed.summary,
        new RegExp(`^approved by user \\(approve_call\\) at .*; its re-run is execution ${rerun.execution_id}$`),
      );
    } finally {
      await s.close();
    }
  });

  test("after deny_call, the stopped execution's record says denied, by whom and when", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await seed(s);
      const first = await run(s, COUNT_THEN_DELETE);
      assert.equal(first.status, "approval_required", first.text);
      await s.call("deny_call", { handle: first.approval.handle });

      const record = await s.data("get_execution", { id: first.execution_id });
      assert.equal(record.status, "denied");
      assert.deepEqual([record.approval.decision, record.approval.by], ["denied", "user (deny_call)"]);
      assert.equal(record.approval.rerun, undefined);
      assert.match(
        record.error.message,
        /^workspace\.delete_file needed approval: denied by user \(deny_call\) at .*; the execution is cancelled$/,
      );
      const { executions } = await s.data("list_executions", { limit: 5 });
      const listed = executions.find((e: any) => e.execution_id === first.execution_id);
      assert.equal(listed.status, "denied");
      assert.match(listed.summary, /^denied by user \(deny_call\) at /);
    } finally {
      await s.close();
    }
  });

  test("past what a handle keeps of earlier replies, the stop says it cannot be resumed, and no handle is made", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await seed(s);
      // 40 reads of 900 KB: 36 MB of replies before the call that needs approval, over the 32 MiB a handle keeps.
      const r = await run(
        s,
        `import { read_file, write_file, delete_file } from "servers/workspace";
await write_file({ path: "/big.txt", content: "x".repeat(900_000) });
let read = 0;
for (let i = 0; i < 40; i++) read += (await read_file({ path: "/big.txt" })).length;
await delete_file({ path: "/victim.txt" });
return read;`,
      );
      assert.equal(r.isError, true, r.text);
      assert.equal(r.status, undefined);
      assert.equal(r.error.kind, "limit");
      assert.match(
        r.error.message,
        /^workspace\.delete_file needs approval, but it cannot be resumed: the replies of the calls before it take (\d+) bytes, over the 33554432/,
      );
      assert.equal(r.approval?.handle, undefined);
      const victim = await run(
        s,
        'import { read_file } from "servers/workspace";\nreturn await read_file({ path: "/victim.txt" });',
      );
      assert.equal(victim.result, "bye", "the call that needed approval never ran");
    } finally {
      await s.close();
    }
  });

  test("an execution stopped for approval keeps the console output it had so far", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await seed(s);
      const first = await run(
        s,
        COUNT_THEN_DELETE.replace("let n = 0;", 'let n = 0;\nconsole.log("about to delete");'),
      );
      assert.equal(first.status, "approval_required", first.text);
      assert.deepEqual(first.logs, ["about to delete"]);
      await s.call("deny_call", { handle: first.approval.handle });
    } finally {
      await s.close();
    }
  });

  test("deny_call cancels the execution and the denial is in the history with who decided", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await seed(s);
      const first = await run(s, COUNT_THEN_DELETE);
      const denied = await s.call("deny_call", { handle: first.approval.handle });
      assert.equal(denied.isError, undefined, "a denial that succeeded is not an error");
      const at = (denied.structuredContent as any).at;
      assert.deepEqual(denied.structuredContent, {
        execution_id: first.execution_id,
        status: "denied",
        server: "workspace",
        tool: "delete_file",
        by: "user (deny_call)",
        at,
      });
      assert.equal(
        (denied.content[0] as any).text,
        `denied workspace.delete_file: execution ${first.execution_id} is cancelled (denied by user (deny_call) at ${at}; get_execution shows it)`,
      );
      // The denial is on the stopped execution's record, not in an entry of its own.
      const { executions } = await s.data("list_executions", { limit: 1 });
      assert.equal(executions[0].execution_id, first.execution_id);
      assert.equal(executions[0].status, "denied");
      const record = await s.data("get_execution", { id: first.execution_id });
      assert.deepEqual(
        [record.approval.decision, record.approval.by, record.approval.at],
        ["denied", "user (deny_call)", at],
      );
      assert.ok(!Number.isNaN(Date.parse(at)));
      const still = await run(
        s,
        `import { read_file } from "servers/workspace"; return read_file({ path: "/victim.txt" });`,
      );
      assert.equal(still.result, "bye");
    } finally {
      await s.close();
    }
  });
});

describe("approval through elicitation", () => {
  async function elicitingSession(answer: (message: string) => { action: "accept" | "decline"; content?: any }) {
    const s = await connect(gateway.mcpUrl, { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    s.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const message = (request.params as any).message as string;
      asked.push(message);
      return answer(message);
    });
    return { s, asked };
  }

  test("an accepted elicitation lets the call run inside the same execution", async () => {
    const { s, asked } = await elicitingSession(() => ({ action: "accept", content: { approve: true } }));
    try {
      await seed(s);
      const r = await run(s, COUNT_THEN_DELETE);
      assert.equal(r.ok, true, r.text);
      assert.equal(asked.length, 1);
      assert.match(asked[0]!, /workspace\.delete_file/);
      assert.match(asked[0]!, /victim\.txt/);
      const del = r.tool_calls.find((c: any) => c.tool === "delete_file");
      assert.equal(del.status, "ok");
      assert.equal(del.approval.decision, "approved");
      assert.equal(del.approval.by, "user (elicitation)");
    } finally {
      await s.close();
    }
  });

  test("a declined elicitation throws a clear 'declined' error in the code and nothing is deleted", async () => {
    const { s } = await elicitingSession(() => ({ action: "decline" }));
    try {
      await seed(s);
      const r = await run(
        s,
        `import { delete_file, read_file } from "servers/workspace";
try { await delete_file({ path: "/victim.txt" }); return "deleted"; }
catch (e) { return { message: e.message, still: await read_file({ path: "/victim.txt" }) }; }`,
      );
      assert.equal(r.ok, true, r.text);
      assert.match(r.result.message, /declined by the user/);
      assert.equal(r.result.still, "bye");
      assert.equal(r.tool_calls[0].approval.decision, "declined");
    } finally {
      await s.close();
    }
  });
});

test("a tool denied by configuration is refused with a clear error and never runs", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const r = await run(
      s,
      `import { search_files } from "servers/workspace";
try { await search_files({ path: "/", pattern: "*" }); return "ran"; } catch (e) { return e.message; }`,
    );
    assert.match(r.result, /search_files is denied by the gateway's approval policy/);
    assert.equal(r.tool_calls[0].status, "rejected");
    assert.equal(r.tool_calls[0].approval.decision, "denied");
    assert.equal(r.tool_calls[0].approval.by, "policy");
  } finally {
    await s.close();
  }
});
