/**
 * MCP 2026-07-28 clients (the SDK v2 Client pinned to that revision): no session, state kept in named contexts,
 * approvals through input_required with signed request state, progress on the request's own response.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, startGateway } from "../support/gateway";
import { connectModern, MODERN, type ModernSession } from "../support/modern-client";

const ALICE_KEY = randomBytes(24).toString("base64url");
const BOB_KEY = randomBytes(24).toString("base64url");
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

let gateway: Gateway;
const open: ModernSession[] = [];
before(async () => {
  gateway = await startGateway({
    config: { servers: [{ name: "workspace", url: "builtin:workspace" }], auth: { mode: "api_keys" } },
    vars: { API_KEYS: `alice:${ALICE_KEY} bob:${BOB_KEY}` },
  });
});
after(async () => {
  await Promise.all(open.map((s) => s.close().catch(() => {})));
  await gateway?.dispose();
});

async function client(key = ALICE_KEY, options: Parameters<typeof connectModern>[1] = {}) {
  const s = await connectModern(gateway.mcpUrl, options, auth(key));
  open.push(s);
  return s;
}

const SET = (v: string) => `import { state } from "gateway"; await state.set("k", ${JSON.stringify(v)}); return "set";`;
const GET = `import { state } from "gateway"; return (await state.get("k")) ?? null;`;

describe("contexts", () => {
  test("state set in the default context is there for a separate client's later request", async () => {
    const a = await client();
    const set = await a.data("execute_code", { code: SET("one") });
    assert.equal(set.context, "default");
    const b = await client();
    const got = await b.data("execute_code", { code: GET });
    assert.equal(got.result, "one");
    assert.equal(got.context, "default");
  });

  test('context "new" starts a fresh context whose id works in later requests and keeps its own state', async () => {
    const a = await client();
    const first = await a.call("execute_code", { code: SET("two"), context: "new" });
    const started = first.structuredContent as { context: string };
    assert.match(started.context, /^ctx_[a-z2-7]{20}$/);
    // A client that reads only the text learns the new context's id too.
    assert.match((first.content[0] as { text: string }).text, new RegExp(`, context: ${started.context}$`));
    const again = await a.data("execute_code", { code: GET, context: started.context });
    assert.equal(again.result, "two");
    assert.equal(again.context, started.context);
    const listed = await a.data("list_executions", { context: started.context });
    assert.ok(listed.contexts.some((c: any) => c.context === started.context));
  });

  test("get_execution and list_executions name the context an execution ran in, not the caller's", async () => {
    const a = await client();
    const ran = await a.data("execute_code", { code: "return 1", context: "new" });
    assert.match(ran.context, /^ctx_[a-z2-7]{20}$/);
    const other = await client();
    const record = await other.data("get_execution", { id: ran.execution_id });
    assert.equal(record.context, ran.context);
    const fromDefault = await other.data("get_execution", { id: ran.execution_id, context: "default" });
    assert.equal(fromDefault.context, ran.context);
    const inDefault = await other.data("execute_code", { code: "return 2" });
    const listed = await other.data("list_executions", { limit: 5 });
    assert.equal(listed.context, "default", "the list names the caller's context beside the executions");
    const contextOf = (id: string) => listed.executions.find((e: any) => e.execution_id === id)?.context;
    assert.deepEqual([contextOf(ran.execution_id), contextOf(inDefault.execution_id)], [ran.context, "default"]);
  });

  test("list_executions' text lists the contexts too, and keeps each execution to one line", async () => {
    const a = await client();
    const ran = await a.data("execute_code", { code: "return 1", context: "new" });
    // A syntax error's message carries a code frame: several lines.
    const bad = await a.call("execute_code", { code: "const x = 1;\nreturn (", context: ran.context });
    assert.equal(bad.isError, true);
    const listed = await a.call("list_executions", { limit: 2, context: ran.context });
    const text = (listed.content[0] as { text: string }).text;
    const [executions, contexts] = text.split("\nthe user's contexts ");
    const lines = executions!.split("\n");
    assert.equal(lines.length, 2, text);
    assert.ok(
      lines.every((l) => /^exe_\S+ \S+ context ctx_\S+ (ok|error) \d+ ms: /.test(l)),
      text,
    );
    assert.match(lines[0]!, /error \d+ ms: .*…$/);
    assert.match(contexts!, new RegExp(`^\\(this one: ${ran.context}\\):\n(  .*\n)*  ${ran.context} created \\d{4}-`));
  });

  test("a context value that is not default, new or a ctx_ id is refused with -32602", async () => {
    const a = await client();
    await assert.rejects(a.call("execute_code", { code: "return 1", context: "mine" }), (err: any) => {
      assert.equal(err.code, -32602);
      assert.match(err.message, /context "mine" is not a context; pass "default", "new"/);
      return true;
    });
  });

  test("a well-formed context id the gateway never minted for this user is refused", async () => {
    const a = await client();
    const theirs = await (await client(BOB_KEY)).data("execute_code", { code: SET("bob"), context: "new" });
    // A JSON-RPC error the client reports as one (-32602), not an HTTP failure of the transport.
    await assert.rejects(a.call("execute_code", { code: GET, context: theirs.context }), (err: any) => {
      assert.equal(err.code, -32602, String(err));
      assert.match(err.message, new RegExp(`unknown context ${theirs.context} \\(contexts are deleted after`));
      assert.match(err.message, /pass context "new" to start one/);
      return true;
    });
  });
});

describe("protocol surface", () => {
  test("tools/list is deterministic, carries caching hints and offers the context argument", async () => {
    const a = await client();
    const first = await a.client.listTools(undefined, { cacheMode: "bypass" } as never);
    const second = await a.client.listTools(undefined, { cacheMode: "bypass" } as never);
    assert.deepEqual(
      first.tools.map((t) => t.name),
      second.tools.map((t) => t.name),
    );
    assert.equal(first.ttlMs, 300_000);
    assert.equal(first.cacheScope, "private");
    const execute = first.tools.find((t) => t.name === "execute_code")!;
    assert.ok(Object.hasOwn(execute.inputSchema.properties ?? {}, "context"));
    const legacy = await connect(gateway.mcpUrl, {}, { requestInit: { headers: auth(ALICE_KEY) } });
    try {
      const old = await legacy.client.listTools();
      assert.deepEqual(
        old.tools.map((t) => t.name),
        first.tools.map((t) => t.name),
      );
      assert.ok(
        !Object.hasOwn(old.tools.find((t) => t.name === "execute_code")!.inputSchema.properties ?? {}, "context"),
      );
    } finally {
      await legacy.close();
    }
  });

  test("the client negotiates 2026-07-28 without a session", async () => {
    const a = await client();
    assert.equal(a.client.getNegotiatedProtocolVersion(), MODERN);
  });

  test("progress streams on the request's own response and no log notifications are sent", async () => {
    const a = await client();
    const logs: unknown[] = [];
    a.client.setNotificationHandler("notifications/message", (n) => {
      logs.push(n);
    });
    const progress: string[] = [];
    const r = await a.client.callTool(
      {
        name: "execute_code",
        arguments: {
          code: 'import { progress } from "gateway"; console.log("hi"); await progress(1, 2, "half"); return 1;',
        },
      },
      { onprogress: (p) => progress.push(String(p.message)) },
    );
    assert.equal((r.structuredContent as any).result, 1);
    assert.deepEqual((r.structuredContent as any).logs, ["hi"]);
    assert.ok(progress.includes("1/2 half"), JSON.stringify(progress));
    assert.deepEqual(logs, []);
  });
});

const DELETE = `import { write_file, delete_file } from "servers/workspace";
await write_file({ path: "/v.txt", content: "x" });
await delete_file({ path: "/v.txt" });
return "deleted";`;

describe("approvals through input_required", () => {
  test("an accepted approval is answered by the client's retry, which replays the calls that already ran", async () => {
    const asked: string[] = [];
    const a = await client(ALICE_KEY, { capabilities: { elicitation: { form: {} } } });
    a.client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(String((request.params as any).message));
      return { action: "accept", content: { approve: true } };
    });
    const r = await a.data("execute_code", { code: DELETE, context: "new" });
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, /workspace\.delete_file/);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.result, "deleted");
    assert.match(r.context, /^ctx_/);
    assert.deepEqual(
      r.tool_calls.map((c: any) => `${c.tool}:${c.status}:${c.replayed === true}`),
      ["write_file:ok:true", "delete_file:ok:false"],
    );
    // The user answered the client's prompt (input_required), not approve_call.
    assert.equal(r.tool_calls[1].approval.by, "user (elicitation)");
  });

  test("a declined approval cancels the execution", async () => {
    const a = await client(ALICE_KEY, { capabilities: { elicitation: { form: {} } } });
    a.client.setRequestHandler("elicitation/create", async () => ({ action: "decline" }));
    const r = await a.call("execute_code", { code: DELETE });
    const data = r.structuredContent as any;
    assert.equal(data.ok, false);
    assert.equal(data.tool_calls.at(-1).approval.decision, "denied");
    assert.equal(data.tool_calls.at(-1).approval.by, "user (elicitation)");
  });

  test("a client without elicitation gets approval_required with a handle", async () => {
    const a = await client();
    const r = await a.data("execute_code", { code: DELETE });
    assert.equal(r.status, "approval_required");
    assert.match(r.approval.handle, /^apr_[0-9a-f]{32}$/);
  });

  test("a tampered request state, or one replayed by another user, is refused", async () => {
    const a = await client(ALICE_KEY, {
      capabilities: { elicitation: { form: {} } },
      inputRequired: { autoFulfill: false },
    } as never);
    const first = (await a.client.callTool({ name: "execute_code", arguments: { code: DELETE } }, {
      allowInputRequired: true,
    } as never)) as any;
    assert.equal(first.resultType, "input_required", JSON.stringify(first));
    const state: string = first.requestState;
    const retry = (s: ModernSession, requestState: string) =>
      s.client.callTool({
        name: "execute_code",
        arguments: { code: DELETE },
        requestState,
        inputResponses: { approve: { action: "accept", content: { approve: true } } },
      } as never);
    const flipped = `${state.slice(0, -2)}${state.endsWith("A") ? "B" : "A"}${state.slice(-1)}`;
    await assert.rejects(retry(a, flipped), /Invalid or expired requestState/);
    const bob = await client(BOB_KEY, { capabilities: { elicitation: { form: {} } } });
    await assert.rejects(retry(bob, state), /Invalid or expired requestState/);
  });
});

describe("resources and skills over MCP", () => {
  test("resources/list names a types resource per server whose text declares the server's module", async () => {
    const a = await client();
    const { resources } = await a.client.listResources();
    const types = resources.find((r) => r.uri === "gateway://servers/workspace/types.d.ts");
    assert.ok(types, JSON.stringify(resources.map((r) => r.uri)));
    const read = await a.client.readResource({ uri: types.uri });
    assert.match(String((read.contents[0] as any).text), /declare module "servers\/workspace"/);
  });

  test("a saved skill is listed and read through the skills extension under its SEP-2640 name", async () => {
    const a = await client();
    await a.data("save_skill", {
      name: "count__words_",
      description: "Counts words in a text",
      code: "export async function count__words_(input: { text: string }) { return input.text.split(/\\s+/).length; }",
      input_schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
    });
    const { resources } = await a.client.listResources();
    const skill = resources.find((r) => r.uri === "skill://count-words/SKILL.md");
    assert.ok(skill, JSON.stringify(resources.map((r) => r.uri)));
    const read = await a.client.readResource({ uri: skill.uri });
    const text = String((read.contents[0] as any).text);
    assert.match(text, /^---\nname: count-words\ndescription: "Counts words in a text"\n---/);
    assert.match(text, /import \{ count__words_ \} from "skills\/count__words_"/);
    assert.match(text, /return input\.text\.split/);
  });
});
