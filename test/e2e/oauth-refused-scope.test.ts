/**
 * A sign-in the authorization server refuses with `invalid_scope` because it asked for a scope granted before that
 * the authorization server no longer grants (src/user/oauth/refused-scope.ts), end to end in workerd against the
 * real OAuth-protected test upstream (test/support/oauth-upstream.mjs, whose `droppedScopes` refuse a scope at the
 * authorization endpoint or, after consent, at the token endpoint):
 *
 * - the callback page says which scope is no longer granted and links to one sign-in with only the scope the server
 *   needs, which connects; list_servers says so meanwhile and the next call's link is that sign-in; later sign-ins
 *   no longer ask for the refused scope;
 * - that narrower sign-in refused in turn is final: the page says signing in again does not help, and no third
 *   authorization request is made;
 * - a refused step-up gets one narrower step-up for the same tool, with the server's base scope (its 403 may name
 *   only the scope it lacks), while the grant goes on serving the other tools.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { authOf, connectServer, oauthUpstreams } from "../support/oauth-servers";
import type { OAuthUpstream } from "../support/oauth-upstream.mjs";
import { signIn, TEST_CONNECTIONS_KEY } from "../support/upstream-sign-in";

const GATEWAY = { config: { network: { allow_loopback: true } }, vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY } };

const upstreams = oauthUpstreams({ autoApprove: true, scopesSupported: ["mcp", "admin"] });
afterEach(() => upstreams.stopAll());

let counter = 0;
const serverName = () => `narrowed${++counter}`;
const call = (name: string, tool: string) => `import { ${tool} } from "servers/${name}";\nreturn await ${tool}({});`;
/** The scopes an authorization request asked for, sorted. */
const askedFor = (url: URL) => (url.searchParams.get("scope") ?? "").split(" ").filter(Boolean).sort();
/** The link to a new sign-in a callback page offers, if any. */
const retryLink = (page: string) => /href="([^"]*\/connections\/authorize\?flow=[^"]+)"/.exec(page)?.[1];

describe("a sign-in refused for a scope granted before", () => {
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

  /**
   * `name` on `up`, stepped up to admin, then every token forgotten: the next call needs a sign-in for both. With
   * `expire`, the token is first let age past the 5 s within which a refused token is not refreshed again (the
   * gateway's refresh is then refused and the grant reads `expired`, as a token revoked later in its life does).
   */
  async function steppedUpThenRevoked(up: OAuthUpstream, name: string, expire = false): Promise<string> {
    await connectServer(session, name, up);
    const stopped = await run(session, call(name, "admin_report"));
    assert.equal((await signIn(stopped.authorization.authorization_url)).status, 200);
    assert.equal((await run(session, call(name, "admin_report"))).ok, true, "stepped up");
    if (expire) await new Promise((resolve) => setTimeout(resolve, 5_500));
    up.provider.accessTokens.clear();
    up.provider.refreshTokens.clear();
    const refused = await run(session, call(name, "whoami"));
    assert.equal(refused.status, "authorization_required", JSON.stringify(refused).slice(0, 1500));
    return refused.authorization.authorization_url;
  }

  for (const at of ["authorize", "token"] as const) {
    test(`refused at the ${at} endpoint: the page offers a sign-in with only the scope the server needs, which connects`, async () => {
      const up = await upstreams.start();
      const name = serverName();
      const link = await steppedUpThenRevoked(up, name, true);
      up.set({ droppedScopes: ["admin"], dropScopesAt: at });
      const wide = await signIn(link);
      assert.deepEqual(askedFor(wide.authorizationServerUrl), ["admin", "mcp"]);
      assert.equal(wide.status, 400);
      assert.match(wide.page, /it no longer grants scope &quot;admin&quot;, which you had granted before/);
      assert.match(wide.page, /Sign in again with only scope &quot;mcp&quot;/);
      const retry = retryLink(wide.page);
      assert.ok(retry?.startsWith(gateway.url.origin), wide.page);
      assert.notEqual(retry, link);

      // What the model reads says so, and the next call's link is that sign-in.
      const auth = await authOf(session, name, (a) => /no longer grants/.test(a?.message ?? ""));
      assert.equal(auth.status, "expired");
      assert.match(auth.message, /no longer grants scope "admin" .*invalid_scope.*asks only for scope "mcp"/);
      const again = await run(session, call(name, "whoami"));
      assert.equal(again.authorization?.authorization_url, retry, JSON.stringify(again).slice(0, 1500));

      const narrow = await signIn(retry!);
      assert.deepEqual(askedFor(narrow.authorizationServerUrl), ["mcp"]);
      assert.equal(narrow.status, 200, narrow.page);
      const me = await run(session, call(name, "whoami"));
      assert.equal(me.ok, true, me.text);
      assert.deepEqual(me.result.scopes, ["mcp"]);
      // A sign-in later asks for the granted scope, not the refused one.
      const later = await session.data("authorize_server", { name });
      const steps = await signIn(later.authorization_url);
      assert.deepEqual(askedFor(steps.authorizationServerUrl), ["mcp"]);
      assert.equal(steps.status, 200, steps.page);
    });
  }

  test("the narrower sign-in refused in turn is final: no new link, no third authorization request", async () => {
    const up = await upstreams.start();
    const name = serverName();
    const link = await steppedUpThenRevoked(up, name);
    up.set({ droppedScopes: ["admin", "mcp"] });
    const authorizations = () => up.events.filter((e) => e.type === "refused" && e.step === "authorize").length;
    const wide = await signIn(link);
    const retry = retryLink(wide.page);
    assert.ok(retry, wide.page);
    const narrow = await signIn(retry);
    assert.deepEqual(askedFor(narrow.authorizationServerUrl), ["mcp"]);
    assert.equal(narrow.status, 400);
    assert.equal(retryLink(narrow.page), undefined, "no further narrowing");
    assert.match(
      narrow.page,
      /It refused scope &quot;mcp&quot;, which narrowed\d+ itself asks for: signing in again does not help until/,
    );
    assert.equal(authorizations(), 2);
  });

  test("a step-up refused for a scope granted before gets one narrower step-up, for the same tool, that keeps the server's base scope", async () => {
    const up = await upstreams.start({
      scopesSupported: ["mcp", "admin", "write"],
      toolScopes: [
        ["admin_report", "admin"],
        ["echo", "write"],
      ],
      stepUpNamesGranted: false,
    });
    const name = serverName();
    await connectServer(session, name, up);
    const echo = await run(session, `import { echo } from "servers/${name}";\nreturn await echo({ text: "hi" });`);
    assert.equal((await signIn(echo.authorization.authorization_url)).status, 200);
    await authOf(session, name, (a) => a?.scopes?.length === 2);
    // The authorization server stops granting write; admin_report's 403 names admin alone.
    up.set({ droppedScopes: ["write"] });
    const stopped = await run(session, call(name, "admin_report"));
    assert.equal(stopped.authorization?.scope, "admin", JSON.stringify(stopped).slice(0, 1500));
    const wide = await signIn(stopped.authorization.authorization_url);
    assert.deepEqual(askedFor(wide.authorizationServerUrl), ["admin", "mcp", "write"]);
    assert.equal(wide.status, 400);
    assert.match(wide.page, /it no longer grants scope &quot;write&quot;/);
    const retry = retryLink(wide.page);
    assert.ok(retry, wide.page);
    const auth = await authOf(session, name, (a) => a?.step_up?.some((s: any) => s.authorization_url === retry));
    assert.equal(auth.status, "connected", "the grant goes on serving the other tools");
    assert.deepEqual(auth.step_up[0].tools, ["admin_report"]);
    const narrow = await signIn(retry!);
    assert.deepEqual(askedFor(narrow.authorizationServerUrl), ["admin", "mcp"]);
    assert.equal(narrow.status, 200, narrow.page);
    const report = await run(session, call(name, "admin_report"));
    assert.equal(report.ok, true, report.text);
    assert.equal((await run(session, call(name, "whoami"))).ok, true, "the base scope kept");
  });
});
