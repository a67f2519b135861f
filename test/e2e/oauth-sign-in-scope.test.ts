/**
 * The scope a plain sign-in to a user's OAuth server asks for (src/user/oauth/sign-in-scope.ts), end to end in workerd
 * against the real OAuth-protected test upstream (test/support/oauth-upstream.mjs, whose `toolScopes` make chosen
 * tools need a scope the first sign-in did not grant):
 *
 * - authorize_server while a step-up waits asks for the granted scopes and the step-up's, so signing in through it
 *   grants what the waiting tool needs (a plain sign-in link handed out before the step-up is not reused);
 * - a sign-in again after the grant was revoked (401) asks for the scopes granted before as well as the challenge's,
 *   so a user who had stepped up keeps the stepped-up scope;
 * - that challenge is the 401 the revoked token got, not what a request without a token would be told (the upstream's
 *   `tokenScopes` make the two differ).
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
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

const upstreams = oauthUpstreams(SCOPED);
afterEach(() => upstreams.stopAll());

let counter = 0;
const serverName = () => `scoped${++counter}`;
const call = (name: string, tool: string, args = "{}") =>
  `import { ${tool} } from "servers/${name}";\nreturn await ${tool}(${args});`;
/** The scopes an authorization request asked for, sorted. */
const askedFor = (url: URL) => (url.searchParams.get("scope") ?? "").split(" ").filter(Boolean).sort();

describe("the scope of a plain sign-in", () => {
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

  test("authorize_server while step-ups wait asks for the granted scopes and theirs; signing in through it lets the waiting tools run", async () => {
    const up = await upstreams.start();
    const name = serverName();
    await connectServer(session, name, up);
    // A plain sign-in link asked for before the step-ups (for mcp alone) must not be handed out again after them.
    const before = await session.data("authorize_server", { name });
    const stopped = await run(session, call(name, "admin_report"));
    assert.equal(stopped.status, "authorization_required", JSON.stringify(stopped).slice(0, 1500));
    assert.equal(stopped.authorization.scope, "admin");
    const echo = call(name, "echo", '{ text: "hi" }');
    assert.equal((await run(session, echo)).authorization?.scope, "write");
    await authOf(session, name, (a) => a?.step_up?.length === 2);

    const asked = await session.data("authorize_server", { name });
    assert.notEqual(asked.authorization_url, before.authorization_url, "the link from before the step-ups");
    const steps = await signIn(asked.authorization_url);
    assert.equal(steps.status, 200, steps.page);
    assert.deepEqual(askedFor(steps.authorizationServerUrl), ["admin", "mcp", "write"]);
    const report = await run(session, call(name, "admin_report"));
    assert.equal(report.ok, true, report.text);
    assert.deepEqual([...report.result.scopes].sort(), ["admin", "mcp", "write"]);
    assert.equal((await run(session, echo)).ok, true);
    const auth = await authOf(session, name, (a) => a?.step_up === undefined);
    assert.equal(auth.status, "connected");
  });

  test("a sign-in again after the authorization server revoked the grant asks for the stepped-up scope too", async () => {
    const up = await upstreams.start();
    const name = serverName();
    await connectServer(session, name, up);
    const stopped = await run(session, call(name, "admin_report"));
    assert.equal((await signIn(stopped.authorization.authorization_url)).status, 200);
    assert.equal((await run(session, call(name, "admin_report"))).ok, true, "stepped up");

    // The authorization server forgets every token: the next call is refused (401) and cannot be refreshed.
    up.provider.accessTokens.clear();
    up.provider.refreshTokens.clear();
    const refused = await run(session, call(name, "whoami"));
    assert.equal(refused.status, "authorization_required", JSON.stringify(refused).slice(0, 1500));
    const link = refused.authorization.authorization_url;
    assert.ok(link, JSON.stringify(refused.authorization));
    const steps = await signIn(link);
    assert.equal(steps.status, 200, steps.page);
    // The 401's challenge names mcp; the grant had admin too.
    assert.deepEqual(askedFor(steps.authorizationServerUrl), ["admin", "mcp"]);
    const report = await run(session, call(name, "admin_report"));
    assert.equal(report.ok, true, report.text);
  });

  test("a sign-in again after a token was refused asks for the scope that 401 named, not the token-less one", async () => {
    const up = await upstreams.start();
    const name = serverName();
    await connectServer(session, name, up);
    assert.equal((await run(session, call(name, "whoami"))).ok, true);
    // The authorization server forgets every token, and the server now wants mcp and write of a token: its 401 to
    // the refused token names both, while a request without a token is still told mcp alone.
    up.provider.accessTokens.clear();
    up.provider.refreshTokens.clear();
    up.set({ tokenScopes: ["mcp", "write"] });
    const tokenless = await fetch(up.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.match(tokenless.headers.get("www-authenticate") ?? "", /scope="mcp"/);
    const refused = await run(session, call(name, "whoami"));
    assert.equal(refused.status, "authorization_required", JSON.stringify(refused).slice(0, 1500));
    const steps = await signIn(refused.authorization.authorization_url);
    assert.equal(steps.status, 200, steps.page);
    assert.deepEqual(askedFor(steps.authorizationServerUrl), ["mcp", "write"]);
    const me = await run(session, call(name, "whoami"));
    assert.equal(me.ok, true, me.text);
    assert.deepEqual([...me.result.scopes].sort(), ["mcp", "write"]);
  });
});
