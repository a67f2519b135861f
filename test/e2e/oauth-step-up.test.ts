/**
 * Step-up (MCP authorization, 403 `insufficient_scope`) on a user's OAuth server, end to end in workerd against the
 * real OAuth-protected test upstream (test/support/oauth-upstream.mjs, whose `toolScopes` make chosen tools need a
 * scope the first sign-in did not grant):
 *
 * - only the tool that needs more scope waits for it: the server stays connected, its other tools work, and
 *   list_servers, search_tools and /connections say which tool waits for which scope, with its link;
 * - approve_call on the handle of an execution waiting for that sign-in, before the user signed in, re-runs nothing
 *   and repeats the link and the missing scope; the handle stays usable and resumes once the user has signed in;
 * - a pending sign-in is reused (same link) while one for the same scopes is pending; other scopes get their own.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { authOf, connectServer, oauthUpstreams } from "../support/oauth-servers";
import { signIn, TEST_CONNECTIONS_KEY } from "../support/upstream-sign-in";

const SCOPED = {
  autoApprove: true,
  scopesSupported: ["mcp", "admin", "write"],
  toolScopes: [
    ["admin_report", "admin"],
    ["echo", "write"],
  ] as Array<[string, string]>,
};
const GATEWAY = { config: { network: { allow_loopback: true } }, vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY } };
const LINK = /https?:\/\/[^\s"]+\/connections\/authorize\?flow=[A-Za-z0-9_-]+/;

const upstreams = oauthUpstreams(SCOPED);
const upstream = () => upstreams.start();
afterEach(() => upstreams.stopAll());

let counter = 0;
const serverName = () => `stepup${++counter}`;

const call = (name: string, tool: string, args = "{}") =>
  `import { ${tool} } from "servers/${name}";\nreturn await ${tool}(${args});`;

/** The execution ended waiting for a step-up sign-in to `name` for `tool`: its link. */
function steppedUp(r: any, name: string, tool: string, scope: string): string {
  assert.equal(r.status, "authorization_required", JSON.stringify(r).slice(0, 1500));
  assert.equal(r.authorization.server, name);
  assert.equal(r.authorization.tool, tool);
  assert.equal(r.authorization.scope, scope);
  assert.match(r.authorization.authorization_url, LINK);
  assert.match(r.authorization.handle, /^apr_[0-9a-f]{32}$/);
  return r.authorization.authorization_url;
}

describe("step-up on one gateway", () => {
  let gateway: Gateway;
  let session: Session;
  before(async () => {
    gateway = await startGateway(GATEWAY);
    session = await connect(gateway.mcpUrl);
  });
  after(async () => {
    await session?.close();
    await gateway?.dispose();
  });

  test("a step-up on one tool leaves the server connected: other tools work, and only that tool waits, named with its scope and link", async () => {
    const up = await upstream();
    const name = serverName();
    await connectServer(session, name, up);
    const stopped = await run(session, call(name, "admin_report"));
    const link = steppedUp(stopped, name, "admin_report", "admin");
    // The call's trace (get_execution, the dashboard) names the missing scope as the error does.
    assert.equal(
      stopped.tool_calls.find((c: any) => c.tool === "admin_report")?.error,
      `${name}.admin_report needs the user to sign in to ${name} again to grant more permission (scope "admin"); the execution stops here and returns a handle`,
    );

    // This session and a new one (a new registry, a new connection) both see it connected, the step-up noted.
    const fresh = await connect(gateway.mcpUrl);
    try {
      for (const s of [session, fresh]) {
        const auth = await authOf(s, name, (a) => a?.step_up !== undefined);
        assert.equal(auth.status, "connected", JSON.stringify(auth));
        assert.deepEqual(auth.step_up, [{ tools: ["admin_report"], scope: "admin", authorization_url: link }]);
        const listed = await s.call("list_servers");
        const text = (listed.content[0] as { text: string }).text;
        assert.doesNotMatch(text, new RegExp(`${name}[^\\n]*\\n\\s+auth \\(oauth\\): authorization_required`));
        assert.match(text, /admin_report needs more permission \(scope "admin"\): the user signs in again at /);
        const who = await run(s, call(name, "whoami"));
        assert.equal(who.ok, true, who.text);
        assert.deepEqual(who.result.scopes, ["mcp"]);
        const found = await s.data("search_tools", { query: "whoami signed-in user" });
        assert.ok(
          found.tools.some((t: any) => t.server === name && t.name === "whoami"),
          JSON.stringify(found),
        );
      }
      const page = await (await fetch(new URL("/connections", gateway.url))).text();
      const row = page.slice(page.indexOf(`<th scope="row">${name}</th>`));
      const cell = row.slice(0, row.indexOf("</tr>"));
      assert.match(cell, /status-connected/);
      assert.doesNotMatch(cell, /Sign-in needed/);
      assert.match(cell, /admin_report needs more permission \(scope &quot;admin&quot;\)/);
      assert.ok(cell.includes(`href="${link.replace(/&/g, "&amp;")}"`), cell);

      // The user grants it: the tool works at once in the session that asked (its cached token is replaced).
      const steps = await signIn(link);
      assert.equal(steps.status, 200, steps.page);
      assert.deepEqual(steps.authorizationServerUrl.searchParams.get("scope")?.split(" ").sort(), ["admin", "mcp"]);
      const report = await run(session, call(name, "admin_report"));
      assert.equal(report.ok, true, report.text);
      assert.deepEqual([...report.result.scopes].sort(), ["admin", "mcp"]);
      const after = await authOf(fresh, name, (a) => a?.step_up === undefined && a?.scopes?.length === 2);
      assert.equal(after.status, "connected");
    } finally {
      await fresh.close();
    }
  });

  test("the same step-up asked again reuses its pending sign-in link, also when asked at the same moment; other scopes get their own", async () => {
    const up = await upstream();
    const name = serverName();
    await connectServer(session, name, up);
    const first = steppedUp(await run(session, call(name, "admin_report")), name, "admin_report", "admin");
    const again = steppedUp(await run(session, call(name, "admin_report")), name, "admin_report", "admin");
    assert.equal(again, first, "a second call gets the link already shown");
    // Two programs of two sessions at once: one flow between them.
    const other = await connect(gateway.mcpUrl);
    try {
      const echo = call(name, "echo", '{ text: "hi" }');
      const [a, b] = await Promise.all([run(session, echo), run(other, echo)]);
      const write = steppedUp(a, name, "echo", "write");
      assert.equal(steppedUp(b, name, "echo", "write"), write, "concurrent step-ups share one sign-in");
      assert.notEqual(write, first, "another scope set is another sign-in");
      const auth = await authOf(session, name, (x) => x?.step_up?.length === 2);
      assert.deepEqual(
        auth.step_up.map((s: any) => [s.tools, s.scope, s.authorization_url]),
        [
          [["admin_report"], "admin", first],
          [["echo"], "write", write],
        ],
      );
      // Both links still lead to the authorization server, each for its own scopes.
      const steps = await signIn(first);
      assert.equal(steps.status, 200, steps.page);
      assert.deepEqual(steps.authorizationServerUrl.searchParams.get("scope")?.split(" ").sort(), ["admin", "mcp"]);
      // Once admin is granted, a step-up for write asks for all three: a new sign-in, not the stale one for mcp+write.
      const wider = steppedUp(await run(session, echo), name, "echo", "write");
      assert.notEqual(wider, write);
      const second = await signIn(wider);
      assert.deepEqual(second.authorizationServerUrl.searchParams.get("scope")?.split(" ").sort(), [
        "admin",
        "mcp",
        "write",
      ]);
      const r = await run(session, echo);
      assert.equal(r.ok, true, r.text);
    } finally {
      await other.close();
    }
  });

  test("approve_call on a step-up handle before the sign-in re-runs nothing and repeats the link and scope; after the sign-in the handle resumes", async () => {
    const up = await upstream();
    const name = serverName();
    await connectServer(session, name, up);
    const code = `import { whoami, admin_report } from "servers/${name}";
const me = await whoami({});
return { me: me.subject, report: await admin_report({}) };`;
    const stopped = await run(session, code);
    const link = steppedUp(stopped, name, "admin_report", "admin");
    const handle = stopped.authorization.handle;
    // Another session (a client that reconnected) asks, twice: the same answer each time, and the handle stays.
    const other = await connect(gateway.mcpUrl);
    try {
      for (let i = 0; i < 2; i++) {
        const early = await other.call("approve_call", { handle });
        const r = early.structuredContent as any;
        assert.equal(r.ok, false);
        assert.equal(r.status, "authorization_required", JSON.stringify(r));
        assert.deepEqual(r.authorization, {
          server: name,
          tool: "admin_report",
          authorization_url: link,
          scope: "admin",
          handle,
        });
        assert.equal(r.tool_calls.length, 0, "nothing ran again");
        const text = (early.content[0] as { text: string }).text;
        assert.match(text, /has not signed in yet/);
        assert.ok(text.includes(link), text);
        assert.match(text, /scope "admin"/);
        assert.ok(text.includes(handle), "the text names the handle to use again");
      }
      // Resume on the dashboard says the same, and takes nothing either.
      const approvals = await fetch(new URL("/dashboard/approvals", gateway.url));
      const cookie = approvals.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const csrf = /name="csrf" value="([^"]+)"/.exec(await approvals.text())?.[1] ?? "";
      const resume = await fetch(new URL(`/dashboard/approvals/${handle}/approve`, gateway.url), {
        method: "POST",
        headers: { cookie, origin: gateway.url.origin, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf }),
        redirect: "manual",
      });
      assert.equal(resume.status, 409);
      assert.ok(
        (await resume.text()).includes(
          `You have not signed in to ${name} yet to grant more permission (scope &quot;admin&quot;): sign in at ${link}, then Resume.`,
        ),
      );
      const { executions } = await other.data("list_executions", { limit: 3 });
      assert.equal(executions[0].execution_id, stopped.execution_id, "no re-run was recorded");
      assert.equal((await signIn(link)).status, 200);
      const resumed = (await other.call("approve_call", { handle })).structuredContent as any;
      assert.equal(resumed.ok, true, JSON.stringify(resumed).slice(0, 1500));
      assert.deepEqual([...resumed.result.report.scopes].sort(), ["admin", "mcp"]);
      assert.equal(resumed.tool_calls.find((c: any) => c.tool === "whoami").replayed, true);
      const reused = await other.call("approve_call", { handle });
      assert.match((reused.content[0] as { text: string }).text, /already used/);
    } finally {
      await other.close();
    }
  });

  test("with URL-mode elicitation the user is asked for the step-up, and the same call goes on with the wider grant", async () => {
    const up = await upstream();
    const name = serverName();
    await connectServer(session, name, up);
    const asked: Array<{ url: string; message: string }> = [];
    const elicited = await connect(gateway.mcpUrl, { capabilities: { elicitation: { url: {} } } });
    try {
      elicited.client.setRequestHandler(ElicitRequestSchema, async (request) => {
        const params = request.params as { url: string; message: string };
        asked.push(params);
        // The user opens the link after accepting; the running call waits for the sign-in to complete.
        setTimeout(() => void signIn(params.url), 200);
        return { action: "accept" };
      });
      const code = `import { whoami, admin_report } from "servers/${name}";
const before = await whoami({});
const report = await admin_report({});
return { before: before.scopes, report: report.scopes, after: (await whoami({})).scopes };`;
      const r = await run(elicited, code);
      assert.equal(r.ok, true, JSON.stringify(r).slice(0, 1500));
      assert.equal(asked.length, 1);
      assert.match(asked[0]!.message, /grant more permission \(scope "admin"\)/);
      assert.deepEqual(r.result.before, ["mcp"]);
      assert.deepEqual([...r.result.report].sort(), ["admin", "mcp"]);
      assert.deepEqual([...r.result.after].sort(), ["admin", "mcp"]);
    } finally {
      await elicited.close();
    }
  });
});

test("approve_call after the gateway restarted, before the sign-in, still answers with a sign-in link and the scope", async () => {
  const up = await upstream();
  const persistDir = mkdtempSync(join(tmpdir(), "cg-step-up-"));
  try {
    const first = await startGateway({ ...GATEWAY, persistDir });
    let handle: string;
    try {
      const s = await connect(first.mcpUrl);
      await connectServer(s, "restarted", up);
      handle = (await run(s, call("restarted", "admin_report"))).authorization.handle;
      await s.close();
    } finally {
      await first.dispose();
    }
    // The session that ran the code wakes without the origin it had learnt from its requests.
    const second = await startGateway({ ...GATEWAY, persistDir });
    try {
      const s = await connect(second.mcpUrl);
      const early = (await s.call("approve_call", { handle })).structuredContent as any;
      const link = early.authorization?.authorization_url;
      assert.ok(link?.startsWith(`${second.url.origin}/connections/authorize?flow=`), JSON.stringify(early));
      assert.equal(early.status, "authorization_required", JSON.stringify(early));
      assert.equal(early.authorization.scope, "admin");
      assert.equal(early.authorization.handle, handle, "the handle stays pending");
      assert.equal((await signIn(link)).status, 200);
      const resumed = (await s.call("approve_call", { handle })).structuredContent as any;
      assert.equal(resumed.ok, true, JSON.stringify(resumed).slice(0, 1500));
      await s.close();
    } finally {
      await second.dispose();
    }
  } finally {
    rmSync(persistDir, { recursive: true, force: true });
  }
});
