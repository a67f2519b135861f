/**
 * Which token a user server's connection sends, and hides, once it takes up a token other than its first (a step-up
 * granted since, src/registry/user-upstream.ts), end to end in workerd against the real OAuth-protected test
 * upstream (test/support/oauth-upstream.mjs):
 *
 * - a token taken up later is redacted from what the server sends back, as the first one is;
 * - a connection sends a token only to the URL it was opened for: when the user points the server's name at another
 *   URL meanwhile, the other server's token is never sent to the old one, whether the old server then answers with
 *   a step-up (403 insufficient_scope) or refuses its token (401).
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { connectServer, oauthUpstreams } from "../support/oauth-servers";
import type { OAuthUpstreamOptions } from "../support/oauth-upstream.mjs";
import { signIn, TEST_CONNECTIONS_KEY } from "../support/upstream-sign-in";

const SCOPED: OAuthUpstreamOptions = {
  autoApprove: true,
  scopesSupported: ["mcp", "admin"],
  toolScopes: [["admin_report", "admin"]],
};
const GATEWAY = { config: { network: { allow_loopback: true } }, vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY } };

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
});
