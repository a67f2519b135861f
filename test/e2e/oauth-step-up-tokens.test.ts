/**
 * Which token a user server's connection sends, and hides, once it takes up a token other than its first (a step-up
 * granted since, src/registry/user-upstream.ts), end to end in workerd against the real OAuth-protected test
 * upstream (test/support/oauth-upstream.mjs):
 *
 * - a token taken up later is redacted from what the server sends back, as the first one is;
 * - a connection sends a token only to the URL it was opened for: when the user points the server's name at another
 *   URL meanwhile, the other server's token is never sent to the old one, whether the old server then answers with
 *   a step-up (403 insufficient_scope) or refuses its token (401);
 * - a connection stops sending its own credentials once the server's name names another URL: a call made on it right
 *   after the change (before the session has seen it) reaches the old URL with no Authorization header, or not at all.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { connectServer, oauthUpstreams } from "../support/oauth-servers";
import type { OAuthUpstreamOptions } from "../support/oauth-upstream.mjs";
import { signIn, TEST_CONNECTIONS_KEY } from "../support/upstream-sign-in";
import { startNodeUpstream } from "../support/upstreams";

const SCOPED: OAuthUpstreamOptions = {
  autoApprove: true,
  scopesSupported: ["mcp", "admin"],
  toolScopes: [["admin_report", "admin"]],
};
const GATEWAY = { config: { network: { allow_loopback: true } }, vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY } };

const TOKEN_UPSTREAM = fileURLToPath(new URL("../support/token-upstream.mjs", import.meta.url));
const API_KEY = "header-key-0123456789abcdef0123";

const upstreams = oauthUpstreams(SCOPED);
const upstream = (options: OAuthUpstreamOptions = {}) => upstreams.start(options);
afterEach(() => upstreams.stopAll());

let counter = 0;
const serverName = () => `tokens${++counter}`;
const call = (name: string, tool: string) => `import { ${tool} } from "servers/${name}";\nreturn await ${tool}({});`;

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the tokens of a user server's connection", () => {
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

  test("a token taken up after a step-up is redacted from what the server sends back, as the first one is", async () => {
    const up = await upstream({ echoToken: true });
    const name = serverName();
    await connectServer(session, name, up);
    const first = await run(session, call(name, "whoami"));
    assert.equal(first.ok, true, first.text);
    assert.equal(first.result.token, "[redacted]", "the first token is redacted");
    const stepped = await run(session, call(name, "admin_report"));
    assert.equal(stepped.status, "authorization_required", JSON.stringify(stepped).slice(0, 1500));
    assert.equal((await signIn(stepped.authorization.authorization_url)).status, 200);
    // The same connection goes on with the wider token (it resends the refused call with it), and whoami echoes it.
    const r = await run(
      session,
      `import { whoami, admin_report } from "servers/${name}";\nawait admin_report({});\nreturn await whoami({});`,
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual([...r.result.scopes].sort(), ["admin", "mcp"], "the wider token was sent");
    const everything = JSON.stringify(r);
    for (const token of up.provider.accessTokens.keys()) assert.ok(!everything.includes(token), "a token came back");
    assert.equal(r.result.token, "[redacted]");
  });

  for (const revokes of [false, true]) {
    test(`a server whose name now names another URL never receives that URL's token (its authorization server ${revokes ? "revokes" : "does not revoke"} the old token)`, async () => {
      const old = await upstream();
      const next = await upstream();
      const name = serverName();
      await connectServer(session, name, old);
      assert.equal((await run(session, call(name, "whoami"))).ok, true);
      // A call the old server holds: while it waits, the user points the name at the other server, from another
      // session, and signs in there.
      old.set({ holdCalls: true });
      const pending = run(session, call(name, "admin_report"));
      await until("the old server holds the call", () => old.bearers.some((m) => m.method === "tools/call"));
      const kept = new Map(old.provider.accessTokens);
      const other = await connect(gateway.mcpUrl);
      try {
        assert.equal((await other.data("remove_server", { name })).removed, name);
        const added = await other.data("add_server", { name, url: next.url });
        assert.equal(added.status, "authorization_required", JSON.stringify(added));
        assert.equal((await signIn(added.authorization_url)).status, 200);
      } finally {
        await other.close();
      }
      // Without revocation the old token stays good at the old server: its answer is then a step-up (403).
      if (!revokes) for (const [token, entry] of kept) old.provider.accessTokens.set(token, entry);
      const nextTokens = [...next.provider.accessTokens.keys()];
      assert.ok(nextTokens.length > 0);
      old.set({ holdCalls: false });
      const stale = await pending;
      assert.equal(stale.ok, false);
      assert.match(stale.error.message, /the server's URL changed to .* its credentials are not sent to the old URL/);
      const leaked = old.bearers.filter((m) => m.token !== undefined && nextTokens.includes(m.token));
      assert.deepEqual(leaked, [], "the old server received the new server's token");
      // The session goes on with the server at its new URL once it has seen the change.
      await until("a call reaches the new server", async () => {
        await run(session, call(name, "whoami"));
        return next.mcpRequests.some((m) => m.method === "tools/call");
      });
    });
  }

  test("a call on a connection right after its server's URL changed sends the old URL no credentials", async () => {
    const old = await upstream();
    const next = await upstream();
    const gate = await upstream();
    const name = serverName();
    const gateName = serverName();
    await connectServer(session, name, old);
    await connectServer(session, gateName, gate);
    gate.set({ holdCalls: true });
    // One program: a call to the server (its connection opens, its token is taken), a call held by another server
    // while the user points the name at another URL, then a call to the server again on the same connection (the
    // registry re-reads the user's servers between executions, not between calls).
    const pending = run(
      session,
      `import { whoami } from "servers/${name}";
import { whoami as wait } from "servers/${gateName}";
const first = await whoami({});
await wait({});
try { await whoami({}); } catch (e) { return { first, error: String(e.message) }; }
return { first };`,
    );
    await until("the other server holds the call", () => gate.bearers.some((m) => m.method === "tools/call"));
    const other = await connect(gateway.mcpUrl);
    try {
      assert.equal((await other.data("remove_server", { name })).removed, name);
      const added = await other.data("add_server", { name, url: next.url });
      assert.equal(added.status, "authorization_required", JSON.stringify(added));
    } finally {
      await other.close();
    }
    const seen = old.bearers.length;
    gate.set({ holdCalls: false });
    const r = await pending;
    const after = old.bearers.slice(seen);
    assert.deepEqual(
      after.filter((m) => m.token !== undefined),
      [],
      "the old URL received credentials after the change",
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result.first.subject, "alice", "the first call went with the token");
    assert.match(r.result.error ?? "", /URL changed/, JSON.stringify(r.result));
  });

  test("a call on a header server's connection right after its URL changed sends the old URL none of its headers", async () => {
    const [oldKeyed, nextKeyed] = await Promise.all([
      startNodeUpstream(TOKEN_UPSTREAM, ["--token", API_KEY]),
      startNodeUpstream(TOKEN_UPSTREAM, ["--token", API_KEY]),
    ]);
    try {
      const gate = await upstream();
      const gateName = serverName();
      await connectServer(session, gateName, gate);
      const stored = await fetch(new URL("/secrets/HEADER_KEY?hosts=127.0.0.1", gateway.url), {
        method: "PUT",
        body: API_KEY,
      });
      assert.equal(stored.status, 200, await stored.text());
      const name = serverName();
      const headers = { "X-Api-Key": ["$", "{secret:HEADER_KEY}"].join("") };
      await session.data("add_server", { name, url: oldKeyed.url, headers });
      const keys = async () => ((await (await fetch(new URL("/captured", oldKeyed.url))).json()) as string[]).length;
      gate.set({ holdCalls: true });
      const pending = run(
        session,
        `import { add } from "servers/${name}";
import { whoami as wait } from "servers/${gateName}";
const first = await add({ a: 1, b: 2 });
await wait({});
try { await add({ a: 2, b: 2 }); } catch (e) { return { first, error: String(e.message) }; }
return { first };`,
      );
      await until("the other server holds the call", () => gate.bearers.some((m) => m.method === "tools/call"));
      const other = await connect(gateway.mcpUrl);
      try {
        assert.equal((await other.data("remove_server", { name })).removed, name);
        await other.data("add_server", { name, url: nextKeyed.url, headers });
      } finally {
        await other.close();
      }
      const seen = await keys();
      gate.set({ holdCalls: false });
      const r = await pending;
      assert.equal(await keys(), seen, "the old URL received the header after the change");
      assert.equal(r.ok, true, r.text);
      assert.equal(r.result.first, 3);
      assert.match(r.result.error ?? "", /URL changed/, JSON.stringify(r.result));
    } finally {
      await Promise.all([oldKeyed.stop(), nextKeyed.stop()]);
    }
  });
});
