/**
 * Execution ids, history and approval handles belong to the user (src/user/user-object.ts): usable from any of
 * the user's sessions, as a stateless client needs (the MCP Inspector CLI opens a session per call), and by no
 * other user. `state` and `state.last()` stay per session: an approval from another session re-runs the code in
 * the session that ran it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

const ALICE_KEY = randomBytes(24).toString("base64url");
const BOB_KEY = randomBytes(24).toString("base64url");
const CAROL_KEY = randomBytes(24).toString("base64url");
const DAVE_KEY = randomBytes(24).toString("base64url");
const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });

let gateway: Gateway;
const sessions: Session[] = [];
before(async () => {
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace" }],
      auth: { mode: "api_keys" },
      limits: { execute_rate_limit: { executions: 0, per_seconds: 60 }, max_code_bytes: 1024 * 1024 },
    },
    vars: { API_KEYS: `alice:${ALICE_KEY} bob:${BOB_KEY} carol:${CAROL_KEY} dave:${DAVE_KEY}` },
  });
});
after(async () => {
  await Promise.all(sessions.map((s) => s.close().catch(() => {})));
  await gateway?.dispose();
});

async function open(key: string): Promise<Session> {
  const s = await connect(gateway.mcpUrl, {}, bearer(key));
  sessions.push(s);
  return s;
}

/** Deletes a file (the workspace's delete_file asks for approval), then marks the session's state. */
const DELETE_THEN_MARK = `import { state } from "gateway";
import { delete_file } from "servers/workspace";
await delete_file({ path: "/victim.txt" });
await state.set("deleted_here", true);
return "deleted";`;

async function suspendedDelete(s: Session): Promise<any> {
  const seeded = await run(
    s,
    `import { write_file } from "servers/workspace"; await write_file({ path: "/victim.txt", content: "bye" });`,
  );
  assert.equal(seeded.ok, true, seeded.text);
  const r = await run(s, DELETE_THEN_MARK);
  assert.equal(r.status, "approval_required", r.text);
  return r;
}

describe("history across a user's sessions", () => {
  test("an execution from session 1 is listed, read and its result reused from session 2", async () => {
    const s1 = await open(ALICE_KEY);
    const s2 = await open(ALICE_KEY);
    const ran = await run(s1, `console.log("from one"); return { rows: [1, 2, 3] };`);
    assert.equal(ran.ok, true, ran.text);

    const { executions } = await s2.data("list_executions", { limit: 50 });
    assert.ok(
      executions.some((e: any) => e.execution_id === ran.execution_id),
      "session 2 lists session 1's execution",
    );
    const record = await s2.data("get_execution", { id: ran.execution_id });
    assert.deepEqual(record.result, { rows: [1, 2, 3] });
    assert.deepEqual(record.logs, ["from one"]);
    // It names the session it ran in, not the reader's, and no context (a 2025-11-25 session is its own).
    assert.deepEqual([record.session, record.context], [s1.transport.sessionId, undefined]);
    assert.equal(executions.find((e: any) => e.execution_id === ran.execution_id).session, s1.transport.sessionId);
    const reused = await run(
      s2,
      `import { state } from "gateway"; return (await state.result(${JSON.stringify(ran.execution_id)})).rows.length;`,
    );
    assert.equal(reused.result, 3, reused.text);
    // A limit under 1 is refused rather than read as 1; one over 200 lists 200 and says so.
    for (const limit of [0, -1]) {
      const bad = await s2.call("list_executions", { limit });
      assert.equal(bad.isError, true, `limit ${limit}`);
      assert.match((bad.content[0] as { text: string }).text, /limit must be at least 1/);
    }
    const many = await s2.call("list_executions", { limit: 500 });
    assert.match((many.content[0] as { text: string }).text, /\(at most 200 are listed\)$/);
  });

  test("state.last() stays per session: session 2 does not see session 1's last execution", async () => {
    const s1 = await open(ALICE_KEY);
    const s2 = await open(ALICE_KEY);
    const first = await run(s1, "return 'one';");
    const inOne = await run(s1, `import { state } from "gateway"; return (await state.last()).execution_id;`);
    assert.equal(inOne.result, first.execution_id);
    const inTwo = await run(s2, `import { state } from "gateway"; return (await state.last()) ?? null;`);
    assert.equal(inTwo.result, null, "a fresh session has no last execution, whatever its user ran elsewhere");
  });
});

describe("approval handles across a user's sessions", () => {
  test("approve_call from session 2 re-runs the code in session 1, whose state receives the change", async () => {
    const s1 = await open(ALICE_KEY);
    const s2 = await open(ALICE_KEY);
    const suspended = await suspendedDelete(s1);

    const { executions } = await s2.data("list_executions", { limit: 5 });
    assert.equal(executions[0].execution_id, suspended.execution_id, "session 2 sees the suspended execution");
    const approved = await s2.call("approve_call", { handle: suspended.approval.handle });
    const r = approved.structuredContent as any;
    assert.equal(r.ok, true, (approved.content[0] as any).text);
    assert.equal(r.result, "deleted");
    assert.equal(r.tool_calls[0].approval.by, "user (approve_call)");

    const inOne = await run(
      s1,
      `import { state } from "gateway"; return { mark: await state.get("deleted_here"), last: (await state.last()).execution_id };`,
    );
    assert.deepEqual(inOne.result, { mark: true, last: r.execution_id }, "the re-run ran in session 1");
    const inTwo = await run(s2, `import { state } from "gateway"; return (await state.get("deleted_here")) ?? null;`);
    assert.equal(inTwo.result, null, "session 2's state is untouched");
  });

  test("a handle still works after its session was closed, as with a client that opens a session per call", async () => {
    const s1 = await open(ALICE_KEY);
    const suspended = await suspendedDelete(s1);
    await s1.close();

    const s2 = await open(ALICE_KEY);
    const approved = await s2.call("approve_call", { handle: suspended.approval.handle });
    assert.equal((approved.structuredContent as any).ok, true, (approved.content[0] as any).text);
    const gone = await run(
      s2,
      `import { list_directory } from "servers/workspace"; return (await list_directory({ path: "/" })).entries.map((e) => e.name);`,
    );
    assert.ok(!gone.result.includes("victim.txt"), gone.text);
  });

  test("deny_call from session 2 cancels session 1's execution and the denial is in the shared history", async () => {
    const s1 = await open(ALICE_KEY);
    const s2 = await open(ALICE_KEY);
    const suspended = await suspendedDelete(s1);
    const denied = await s2.call("deny_call", { handle: suspended.approval.handle });
    assert.equal(denied.isError, undefined);
    assert.match((denied.content[0] as any).text, /^denied workspace\.delete_file: execution \S+ is cancelled/);
    const { executions } = await s1.data("list_executions", { limit: 1 });
    assert.equal(executions[0].execution_id, suspended.execution_id);
    const record = await s1.data("get_execution", { id: suspended.execution_id });
    assert.deepEqual([record.status, record.approval.by], ["denied", "user (deny_call)"]);
  });

  // Production's SQLite holds at most 2 MB per row, so a handle's state is stored in parts (local workerd has no
  // such limit, so this guards the parts code rather than reproducing the production failure).
  test("an execution that read 2.7 MB before the call that needs approval is approved, every reply replayed", async () => {
    const s = await open(ALICE_KEY);
    const code = `import { write_file, read_file, delete_file } from "servers/workspace";
await write_file({ path: "/big.txt", content: "x".repeat(900_000) });
let total = 0;
for (let i = 0; i < 3; i++) total += (await read_file({ path: "/big.txt" })).length;
await delete_file({ path: "/big.txt" });
return total;`;
    const suspended = await run(s, code);
    assert.equal(suspended.status, "approval_required", suspended.text);
    const approved = await s.call("approve_call", { handle: suspended.approval.handle });
    const r = approved.structuredContent as any;
    assert.equal(r.ok, true, (approved.content[0] as any).text);
    assert.equal(r.result, 2_700_000);
    assert.deepEqual(
      r.tool_calls.map((c: any) => c.replayed === true),
      [true, true, true, true, false],
    );
  });

  test("another user gets 'unknown approval handle' and cannot list or read the execution; the owner still can", async () => {
    const alice = await open(ALICE_KEY);
    const bob = await open(BOB_KEY);
    const suspended = await suspendedDelete(alice);
    const handle = suspended.approval.handle;

    for (const tool of ["approve_call", "deny_call"]) {
      const r = await bob.call(tool, { handle });
      assert.equal(r.isError, true, tool);
      assert.match((r.content[0] as any).text, /^unknown approval handle apr_[0-9a-f]{32}/, tool);
    }
    const read = await bob.call("get_execution", { id: suspended.execution_id });
    assert.equal(read.isError, true);
    assert.match((read.content[0] as any).text, /no execution exe_\w+ in the user's history/);
    const listed = await bob.data("list_executions", { limit: 200 });
    assert.ok(!listed.executions.some((e: any) => e.execution_id === suspended.execution_id));
    const byResult = await run(
      bob,
      `import { state } from "gateway";
try { return await state.result(${JSON.stringify(suspended.execution_id)}); } catch (e) { return e.message; }`,
    );
    assert.match(byResult.result, /no execution "exe_\w+" in the user's history/);

    const approved = await alice.call("approve_call", { handle });
    assert.equal((approved.structuredContent as any).ok, true, "bob's attempts did not use up alice's handle");
  });
});

describe("history retention", () => {
  test("the history keeps the newest executions within 32 MiB: the oldest drop out first", async () => {
    const s = await open(CAROL_KEY);
    const pad = "x".repeat(900_000);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await run(s, `const pad = "${pad}";\nreturn ${i} + pad.length * 0;`);
      assert.equal(r.result, i, r.text);
      ids.push(r.execution_id);
    }
    const { executions } = await s.data("list_executions", { limit: 200 });
    const kept = executions.map((e: any) => e.execution_id);
    // 40 records of about 900 kB pass 32 MiB: the newest 36 or so stay, in order, and the oldest are gone.
    assert.ok(kept.length >= 30 && kept.length < 40, `${kept.length} kept`);
    assert.deepEqual(kept, ids.slice(-kept.length).reverse());
    assert.equal((await s.call("get_execution", { id: ids[0] })).isError, true);
    assert.equal((await s.data("get_execution", { id: ids.at(-1) })).result, 39);
  });

  test("the history keeps the newest 1,000 executions: the 1,001st pushes out the oldest", {
    timeout: 300_000,
  }, async () => {
    const clients = await Promise.all([open(DAVE_KEY), open(DAVE_KEY), open(DAVE_KEY), open(DAVE_KEY)]);
    const ids: string[] = [];
    // A syntax error is recorded like any execution and skips the isolate: the cheapest history entry to make.
    const one = async (s: Session, i: number) => {
      const r = await run(s, `return ${i} +;`);
      assert.equal(r.error?.kind, "syntax", r.text);
      return r.execution_id as string;
    };
    // The oldest ten one by one (so their order is known), 990 in parallel from four sessions, then five more.
    for (let i = 0; i < 10; i++) ids.push(await one(clients[0]!, i));
    // Batches of 15 stay under max_concurrent_executions_per_user (16).
    for (let batch = 10; batch < 1_000; batch += 15) {
      const rest = Array.from({ length: 15 }, (_, k) => batch + k);
      ids.push(...(await Promise.all(rest.map((i) => one(clients[i % 4]!, i)))));
    }
    for (let i = 1_000; i < 1_005; i++) ids.push(await one(clients[1]!, i));

    const readable = async (id: string) => !(await clients[2]!.call("get_execution", { id })).isError;
    for (const id of ids.slice(0, 5)) assert.equal(await readable(id), false, `${id} should have been dropped`);
    for (const id of [...ids.slice(5, 10), ...ids.slice(-5)]) assert.equal(await readable(id), true, id);
  });
});
