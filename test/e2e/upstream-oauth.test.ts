/**
 * The gateway's OAuth client to users' upstream servers (src/user/oauth), end to end in workerd against a real
 * OAuth-protected MCP server (test/support/oauth-upstream.mjs: the MCP SDK's auth router and bearer middleware):
 * add_server on a 401, the gateway's sign-in link, consent, callback, tokens stored sealed, tool calls from code,
 * refresh before expiry with rotation, `expired` when the refresh is refused, revocation on remove_server, and
 * the refusals (state replay, wrong `iss`, another user's link, metadata at a private address).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { type OAuthUpstream, startOAuthUpstream } from "../support/oauth-upstream.mjs";
import {
  callback,
  flowSetCookie,
  openLink,
  signIn,
  TEST_CONNECTIONS_KEY,
  webSignIn,
} from "../support/upstream-sign-in";

const running: OAuthUpstream[] = [];
async function upstream(options: Parameters<typeof startOAuthUpstream>[0] = {}): Promise<OAuthUpstream> {
  const up = await startOAuthUpstream(options);
  running.push(up);
  return up;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((u) => u.stop()));
});

let counter = 0;
const serverName = () => `oauth${++counter}`;

/** add_server for an OAuth upstream: it answers authorization_required with the gateway's sign-in link. */
async function addServer(session: Session, name: string, url: string): Promise<string> {
  const added = await session.data("add_server", { name, url });
  assert.equal(added.status, "authorization_required", JSON.stringify(added));
  return added.authorization_url as string;
}

async function whoami(session: Session, name: string) {
  return run(session, `import { whoami } from "servers/${name}";\nreturn await whoami({});`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's auth as `session`'s list_servers shows it (sessions follow the user's changes within seconds). */
async function authOf(session: Session, name: string): Promise<any> {
  const { servers } = await session.data("list_servers");
  return servers.find((s: any) => s.name === name)?.auth;
}

async function waitForStatus(session: Session, name: string, status: string): Promise<any> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const auth = await authOf(session, name);
    if (auth?.status === status || Date.now() > deadline) {
      assert.equal(auth?.status, status, `${name} never became ${status}: ${JSON.stringify(auth)}`);
      return auth;
    }
    await sleep(250);
  }
}

/** The whole sign-in, then waits until `session` sees the server connected. */
async function connectServer(session: Session, name: string, url: string, cookie?: string) {
  const steps = await signIn(await addServer(session, name, url), cookie ? { cookie } : {});
  assert.equal(steps.status, 200, steps.page);
  await waitForStatus(session, name, "connected");
  return steps;
}

/** Every byte of every file under `dir` (the gateway's durable state), as latin1 text to search. */
function stateText(dir: string): string {
  let out = "";
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    out += statSync(path).isDirectory() ? stateText(path) : readFileSync(path).toString("latin1");
  }
  return out;
}

describe("one user with authentication off", () => {
  let gateway: Gateway;
  let session: Session;
  before(async () => {
    gateway = await startGateway({
      config: { network: { allow_loopback: true } },
      vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY },
    });
    session = await connect(gateway.mcpUrl);
  });
  after(async () => {
    await session?.close();
    await gateway?.dispose();
  });

  test("add_server on a 401 answers with a sign-in link on the gateway, not the authorization server", async () => {
    const up = await upstream();
    const link = new URL(await addServer(session, serverName(), up.url));
    assert.equal(link.origin, gateway.url.origin);
    assert.equal(link.pathname, "/connections/authorize");
    assert.match(link.searchParams.get("flow") ?? "", /^[A-Za-z0-9_-]{16,64}$/);
  });

  test("code calling a server that waits for its sign-in gets the pending link, not a new sign-in each time", async () => {
    const up = await upstream();
    const name = serverName();
    const link = await addServer(session, name, up.url);
    const flows = () => up.events.filter((e) => e.type === "register").length;
    for (let i = 0; i < 2; i++) {
      const r = await whoami(session, name);
      assert.equal(r.ok, false);
      assert.ok(JSON.stringify(r).includes(link), `the result names the pending link: ${r.text}`);
    }
    assert.equal(flows(), 1, "one client registration");
  });

  test("the sign-in link sends the browser to the authorization server with PKCE S256, state and resource", async () => {
    const up = await upstream();
    const response = await openLink(await addServer(session, serverName(), up.url));
    assert.equal(response.status, 302);
    const target = new URL(response.headers.get("location") ?? "");
    assert.equal(`${target.origin}${target.pathname}`, `${new URL(up.issuer).origin}/authorize`);
    assert.equal(target.searchParams.get("code_challenge_method"), "S256");
    assert.ok(target.searchParams.get("code_challenge"));
    assert.ok(target.searchParams.get("state"));
    assert.equal(target.searchParams.get("resource"), up.resource);
    assert.equal(target.searchParams.get("redirect_uri"), `${gateway.url.origin}/connections/callback`);
    assert.equal(target.searchParams.get("scope"), "mcp");
    const cookie = flowSetCookie(response) ?? "";
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
  });

  test("after consent and callback, code calls the server as the consenting user", async () => {
    const up = await upstream();
    const name = serverName();
    const steps = await connectServer(session, name, up.url);
    assert.equal(steps.status, 200, steps.page);
    assert.match(steps.page, /You can close this tab/);
    const r = await whoami(session, name);
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result.subject, "alice");
    assert.equal(r.result.resource, up.resource);
    assert.deepEqual(
      up.events.filter((e) => e.type === "register").length,
      1,
      "locally (http origin) the gateway registers dynamically",
    );
  });

  test("the callback's success page links back to the connections page", async () => {
    const up = await upstream({ autoApprove: true });
    const steps = await connectServer(session, serverName(), up.url);
    assert.match(steps.page, /<a href="\/connections">Back to your connections<\/a>/);
  });

  test("the tokens are stored sealed: no token appears in the gateway's durable state", async () => {
    const up = await upstream();
    const name = serverName();
    await connectServer(session, name, up.url);
    assert.equal((await whoami(session, name)).ok, true);
    const access = [...up.provider.accessTokens.keys()];
    const refresh = [...up.provider.refreshTokens.keys()];
    assert.ok(access.length > 0 && refresh.length > 0);
    const state = stateText(gateway.persistDir);
    for (const token of [...access, ...refresh])
      assert.equal(state.includes(token), false, "a token is stored in the clear");
  });

  test("list_servers shows the OAuth status and scopes, never a token", async () => {
    const up = await upstream();
    const name = serverName();
    await connectServer(session, name, up.url);
    await waitForStatus(session, name, "connected");
    const listed = await session.call("list_servers");
    const entry = (listed.structuredContent as any).servers.find((s: any) => s.name === name);
    assert.equal(entry.scope, "user");
    assert.equal(entry.auth.type, "oauth");
    assert.equal(entry.auth.status, "connected");
    assert.deepEqual(entry.auth.scopes, ["mcp"]);
    assert.ok(Date.parse(entry.auth.expires_at) > Date.now());
    const text = JSON.stringify(listed);
    for (const token of up.provider.accessTokens.keys()) assert.equal(text.includes(token), false);
  });

  test("no token appears in a result, a log, an error, the history or list_servers", async () => {
    const up = await upstream({ autoApprove: true, accessTokenTtl: 3 });
    const name = serverName();
    await connectServer(session, name, up.url);
    await sleep(3_100); // a refresh happens on the way: both generations of tokens are looked for
    const outputs: unknown[] = [];
    // Its own session: the namespace import below would be carried into the next executions (notebook scope).
    const probe = await connect(gateway.mcpUrl);
    await waitForStatus(probe, name, "connected");
    outputs.push(
      await run(
        probe,
        `import * as s from "servers/${name}";
console.log(JSON.stringify(await s.whoami({})));
try { await s.admin_report({}); } catch (e) { console.log(String(e), e?.stack); }
return { keys: Object.keys(s), who: await s.whoami({}) };`,
      ),
    );
    outputs.push(await probe.call("list_servers"));
    const { executions } = await probe.data("list_executions", { limit: 5 });
    outputs.push(executions);
    for (const e of executions) outputs.push(await probe.call("get_execution", { id: e.execution_id }));
    await probe.close();
    const text = JSON.stringify(outputs);
    const tokens = [
      ...up.provider.accessTokens.keys(),
      ...up.provider.refreshTokens.keys(),
      ...up.provider.usedRefreshTokens,
    ];
    assert.ok(tokens.length >= 3);
    for (const token of tokens) assert.equal(text.includes(token), false, "a token reached the client");
  });

  test("an expiring access token is refreshed on the host, and the rotated refresh token is used next time", async () => {
    const up = await upstream({ autoApprove: true, accessTokenTtl: 3 });
    const name = serverName();
    await connectServer(session, name, up.url);
    const refreshes = () => up.events.filter((e) => e.type === "refresh").length;
    for (let round = 1; round <= 2; round++) {
      const before = refreshes();
      await sleep(3_100);
      const r = await whoami(session, name);
      assert.equal(r.ok, true, r.text);
      assert.ok(refreshes() > before, `round ${round}: the expired token was refreshed`);
    }
    assert.equal(up.events.filter((e) => e.type === "refused").length, 0, "a used refresh token was presented again");
    assert.equal(up.provider.usedRefreshTokens.size, refreshes(), "every refresh used the latest refresh token");
  });

  test("two sessions needing a refresh at once make one refresh", async () => {
    const up = await upstream({ autoApprove: true, accessTokenTtl: 3 });
    const name = serverName();
    await connectServer(session, name, up.url);
    const other = await connect(gateway.mcpUrl);
    try {
      await waitForStatus(other, name, "connected");
      const first = await whoami(other, name);
      assert.equal(first.ok, true, first.text);
      await sleep(3_100);
      const before = up.events.filter((e) => e.type === "refresh").length;
      const [a, b] = await Promise.all([whoami(session, name), whoami(other, name)]);
      assert.equal(a.ok, true, a.text);
      assert.equal(b.ok, true, b.text);
      assert.equal(up.events.filter((e) => e.type === "refresh").length - before, 1);
      assert.equal(up.events.filter((e) => e.type === "refused").length, 0);
    } finally {
      await other.close();
    }
  });

  test("a refused refresh leaves the server expired, and code calling it gets a new sign-in link", async () => {
    const up = await upstream({ autoApprove: true, accessTokenTtl: 3 });
    const name = serverName();
    await connectServer(session, name, up.url);
    up.set({ failRefresh: true });
    await sleep(3_100);
    const r = await whoami(session, name);
    assert.equal(r.ok, false);
    assert.match(JSON.stringify(r), /\/connections\/authorize\?flow=/);
    await waitForStatus(session, name, "expired");
  });

  test("list_servers of an expired server says why (the refused refresh) and names no token", async () => {
    const up = await upstream({ autoApprove: true, accessTokenTtl: 3 });
    const name = serverName();
    await connectServer(session, name, up.url);
    const tokens = [...up.provider.accessTokens.keys(), ...up.provider.refreshTokens.keys()];
    up.set({ failRefresh: true });
    await sleep(3_100);
    await whoami(session, name);
    const auth = await waitForStatus(session, name, "expired");
    // Worded for every reader (the user's /connections page shows it too): what happened, and that a sign-in is due.
    assert.match(auth.message, /refused to renew the token \(invalid_grant.*\); a new sign-in is needed$/);
    const listed = await session.call("list_servers", {});
    const text = (listed.content[0] as { text: string }).text;
    assert.match(text, /auth \(oauth\): expired: the authorization server refused to renew/);
    // list_servers tells the model what the user must do, and where it gets the link.
    const block = text.slice(text.indexOf(`${name} (`)).split(/\n(?! )/)[0]!;
    assert.match(
      block,
      /\n {2}(the user must sign in again: authorize_server gives the link|error: [^\n]*the user must sign in again at )/,
    );
    for (const token of tokens) assert.ok(!JSON.stringify(listed).includes(token), "no token in list_servers");
  });

  test("a 403 insufficient_scope asks for a sign-in with the granted and the challenged scopes, after which the call works", async () => {
    const up = await upstream({ autoApprove: true });
    const name = serverName();
    await connectServer(session, name, up.url);
    const code = `import { admin_report } from "servers/${name}";\nreturn await admin_report({});`;
    const refused = await run(session, code);
    assert.equal(refused.ok, false);
    const link = /https?:\/\/[^\s"]+\/connections\/authorize\?flow=[A-Za-z0-9_-]+/.exec(JSON.stringify(refused))?.[0];
    assert.ok(link, `the result carries a sign-in link: ${refused.text}`);
    // The challenge asks for "mcp admin"; the grant has mcp: the messages name the scope missing, admin.
    assert.equal(refused.authorization.scope, "admin");
    assert.match(
      refused.error.message,
      /needs the user to sign in again to grant more permission \(scope "admin"\) at /,
    );
    assert.match(refused.text, /authorization_required: oauth\d+ needs the user to sign in again .*\(scope "admin"\)/);
    // Only that tool waits: the server stays connected, and its status names the tool, the scope and the link.
    let auth = await authOf(session, name);
    for (const deadline = Date.now() + 15_000; !auth?.step_up && Date.now() < deadline; await sleep(250)) {
      auth = await authOf(session, name);
    }
    assert.equal(auth.status, "connected", JSON.stringify(auth));
    assert.deepEqual(auth.step_up, [{ tools: ["admin_report"], scope: "admin", authorization_url: link }]);
    const page = await (await fetch(new URL("/connections", gateway.url))).text();
    assert.match(page, /admin_report needs more permission \(scope &quot;admin&quot;\)/);
    const steps = await signIn(link);
    assert.equal(steps.status, 200, steps.page);
    assert.deepEqual(steps.authorizationServerUrl.searchParams.get("scope")?.split(" ").sort(), ["admin", "mcp"]);
    const r = await run(session, code);
    assert.equal(r.ok, true, r.text);
    assert.deepEqual([...r.result.scopes].sort(), ["admin", "mcp"]);
  });

  test("remove_server revokes the tokens at the authorization server", async () => {
    const up = await upstream({ autoApprove: true });
    const name = serverName();
    await connectServer(session, name, up.url);
    assert.equal((await whoami(session, name)).ok, true);
    const removed = await session.data("remove_server", { name });
    assert.equal(removed.revoked, true);
    // Revoking the refresh token ends the grant at this server, its access token with it.
    assert.ok(up.revoked.some((r) => r.kind === "refresh_token"));
    assert.equal(up.provider.accessTokens.size, 0);
    assert.equal(up.provider.refreshTokens.size, 0);
  });

  test("a replayed callback is refused", async () => {
    const up = await upstream({ autoApprove: true });
    const steps = await signIn(await addServer(session, serverName(), up.url));
    assert.equal(steps.status, 200, steps.page);
    const replay = await callback(steps.callbackUrl, [steps.flowCookie]);
    assert.equal(replay.status, 400);
    assert.match(replay.page, /already used/);
    assert.equal(up.events.filter((e) => e.type === "token").length, 1, "the code was redeemed once");
  });

  test("a callback whose iss names another issuer is refused and no code is redeemed", async () => {
    const up = await upstream({ autoApprove: true, iss: "wrong" });
    const name = serverName();
    const steps = await signIn(await addServer(session, name, up.url));
    assert.equal(steps.status, 400);
    assert.match(steps.page, /iss/);
    assert.equal(up.events.filter((e) => e.type === "token").length, 0);
    assert.equal((await authOf(session, name)).status, "authorization_required");
  });

  test("Deny on the consent page shows the authorization server's refusal, escaped", async () => {
    const up = await upstream();
    const steps = await signIn(await addServer(session, serverName(), up.url), { decision: "deny" });
    assert.equal(steps.status, 400);
    assert.match(steps.page, /access_denied/);
  });

  test("reopening a sign-in link after Deny says it was refused and how to start again, not that it is complete", async () => {
    const up = await upstream();
    const name = serverName();
    const link = await addServer(session, name, up.url);
    assert.equal((await signIn(link, { decision: "deny" })).status, 400);
    const again = await openLink(link);
    assert.equal(again.status, 400);
    const page = await again.text();
    assert.match(
      page,
      new RegExp(
        `This sign-in to ${name} was refused or cancelled at its authorization server: start a new one with Connect on your connections page, or ask your agent for a new link \\(authorize_server\\)\\.`,
      ),
    );
    assert.doesNotMatch(page, /already complete/);
    // A user holds at most 20 servers, and the tests after this one add theirs.
    await session.data("remove_server", { name });
  });

  test("a callback without the flow cookie (another browser) is refused", async () => {
    const up = await upstream({ autoApprove: true });
    const steps = await signIn(await addServer(session, serverName(), up.url));
    const bare = await callback(steps.callbackUrl, []);
    assert.equal(bare.status, 400);
    assert.match(bare.page, /another browser/);
  });

  test("a callback whose flow cookie names a user who cannot sign in is refused before any user object", async () => {
    const up = await upstream({ autoApprove: true });
    const name = serverName();
    const steps = await signIn(await addServer(session, name, up.url));
    // A user holds at most 20 servers, and the tests after this one add theirs.
    await session.data("remove_server", { name });
    // The same cookie, naming a well-formed user id nobody signs in as: it must not wake (and create) that user's
    // object, which would answer that the sign-in does not match one of its own.
    const forged = `${steps.flowCookie.split("=")[0]}=nobody-${Date.now()}`;
    const r = await callback(steps.callbackUrl, [forged]);
    assert.equal(r.status, 400);
    assert.match(r.page, /another browser/);
  });

  test("authorization server metadata at a private address is refused by the network rules", async () => {
    const up = await upstream({ authorizationServers: ["http://10.1.2.3/"] });
    const added = await session.data("add_server", { name: serverName(), url: up.url });
    assert.notEqual(added.status, "connected");
    assert.match(JSON.stringify(added), /refused to connect to http:\/\/10\.1\.2\.3/);
  });

  test("an authorization server that never answers fails the sign-in start within its time limit", async () => {
    // A server whose 401 names protected resource metadata that never comes.
    const hanging: ServerResponse[] = [];
    const server = createServer((req, res) => {
      if (req.url?.startsWith("/.well-known/")) return void hanging.push(res);
      const { port } = server.address() as AddressInfo;
      res.writeHead(401, {
        "www-authenticate": `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`,
      });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      const { port } = server.address() as AddressInfo;
      const added = await session.call("add_server", { name: serverName(), url: `http://127.0.0.1:${port}/mcp` });
      assert.match(JSON.stringify(added), /timed? ?out|timeout|aborted/i);
      assert.ok(Date.now() - started < 28_000, "the start gave up within its 20 s budget");
    } finally {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("authorization server metadata larger than 256 KB fails the sign-in start with the bound, unread past it", async () => {
    // A valid metadata document padded to 32 MB, sent without Content-Length (chunked), so only reading finds it.
    const PADDING = "x".repeat(64 * 1024);
    let sent = 0;
    const server = createServer((req, res) => {
      const { port } = server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      if (req.url === "/.well-known/oauth-protected-resource/mcp") {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ resource: `${origin}/mcp`, authorization_servers: [`${origin}/`] }));
      }
      if (req.url === "/.well-known/oauth-authorization-server") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(
          `{"issuer":"${origin}/","authorization_endpoint":"${origin}/authorize","token_endpoint":"${origin}/token",` +
            `"registration_endpoint":"${origin}/register","response_types_supported":["code"],` +
            `"code_challenge_methods_supported":["S256"],"padding":"`,
        );
        const more = () => {
          while (sent < 512 && !res.destroyed) {
            sent++;
            if (!res.write(PADDING)) return void res.once("drain", more);
          }
          if (!res.destroyed) res.end('"}');
        };
        return more();
      }
      res.writeHead(401, {
        "www-authenticate": `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
      });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const added = await session.call("add_server", { name: serverName(), url: `http://127.0.0.1:${port}/mcp` });
      assert.match(
        JSON.stringify(added),
        new RegExp(`127\\.0\\.0\\.1:${port}/\\.well-known/oauth-authorization-server answered with more than 256 KB`),
      );
      assert.ok(sent < 512, `the gateway stopped reading early (${sent} of 512 chunks sent)`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("the Client ID Metadata Document is not served over plain http", async () => {
    const response = await fetch(new URL("/connections/client-metadata.json", gateway.url));
    assert.equal(response.status, 404);
    assert.match(await response.text(), /https only/);
  });
});

describe("across a restart", () => {
  test("a signed-in server keeps working after the gateway restarts, its tokens read back from durable storage", async () => {
    const up = await upstream({ autoApprove: true });
    const options = {
      config: { network: { allow_loopback: true } },
      vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY },
      keepState: true,
    };
    const first = await startGateway(options);
    const name = serverName();
    try {
      const session = await connect(first.mcpUrl);
      await connectServer(session, name, up.url);
      await session.close();
    } finally {
      await first.dispose();
    }
    const second = await startGateway({ ...options, persistDir: first.persistDir });
    try {
      const session = await connect(second.mcpUrl);
      const r = await whoami(session, name);
      assert.equal(r.ok, true, r.text);
      assert.equal(r.result.subject, "alice");
      assert.equal(up.events.filter((e) => e.type === "token").length, 1, "no new sign-in was needed");
      await session.close();
    } finally {
      await second.dispose();
      rmSync(first.persistDir, { recursive: true, force: true });
    }
  });
});

describe("two users with API keys", () => {
  const ALICE_KEY = "alice-key-0123456789abcdef0123";
  const BOB_KEY = "bob-key-0123456789abcdef012345";
  let gateway: Gateway;
  let alice: Session;
  let bob: Session;
  before(async () => {
    gateway = await startGateway({
      config: { network: { allow_loopback: true }, auth: { mode: "api_keys" } },
      vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY, API_KEYS: `alice:${ALICE_KEY}\nbob:${BOB_KEY}` },
    });
    const as = (key: string) => ({ requestInit: { headers: { authorization: `Bearer ${key}` } } });
    alice = await connect(gateway.mcpUrl, {}, as(ALICE_KEY));
    bob = await connect(gateway.mcpUrl, {}, as(BOB_KEY));
  });
  after(async () => {
    await alice?.close();
    await bob?.close();
    await gateway?.dispose();
  });

  test("the sign-in link asks a browser that is not signed in to sign in first", async () => {
    const up = await upstream({ autoApprove: true });
    const response = await openLink(await addServer(alice, serverName(), up.url));
    assert.equal(response.status, 303);
    assert.match(response.headers.get("location") ?? "", /^\/signin\?next=%2Fconnections%2Fauthorize/);
  });

  test("another user's sign-in link is refused: nothing reaches the authorization server", async () => {
    const up = await upstream({ autoApprove: true });
    const link = await addServer(alice, serverName(), up.url);
    const response = await openLink(link, await webSignIn(gateway.url, BOB_KEY));
    assert.equal(response.status, 400);
    assert.match(await response.text(), /not one of yours/);
    assert.equal(up.events.filter((e) => e.type === "authorize").length, 0);
  });

  test("a user's signed-in server is not visible to another user", async () => {
    const up = await upstream({ autoApprove: true });
    const name = serverName();
    await connectServer(alice, name, up.url, await webSignIn(gateway.url, ALICE_KEY));
    assert.equal((await whoami(alice, name)).ok, true);
    const { servers } = await bob.data("list_servers");
    assert.equal(
      servers.some((s: any) => s.name === name),
      false,
    );
    const r = await whoami(bob, name);
    assert.equal(r.ok, false);
  });
});

describe("pre-registered client credentials", () => {
  let gateway: Gateway;
  let session: Session;
  let up: OAuthUpstream;
  before(async () => {
    up = await startOAuthUpstream({ autoApprove: true });
    gateway = await startGateway({
      config: {
        network: { allow_loopback: true },
        oauth_clients: [
          { issuer: up.issuer, client_id: "gateway-client", client_secret_env: "UPSTREAM_CLIENT_SECRET" },
        ],
      },
      vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY, UPSTREAM_CLIENT_SECRET: "pre-registered-secret-0123456789" },
    });
    up.provider.clients.set("gateway-client", {
      client_id: "gateway-client",
      client_secret: "pre-registered-secret-0123456789",
      redirect_uris: [`${gateway.url.origin}/connections/callback`],
      token_endpoint_auth_method: "client_secret_basic",
    });
    session = await connect(gateway.mcpUrl);
  });
  after(async () => {
    await session?.close();
    await gateway?.dispose();
    await up?.stop();
  });

  test("oauth_clients credentials are used instead of dynamic registration", async () => {
    const name = serverName();
    const steps = await connectServer(session, name, up.url);
    assert.equal(steps.status, 200, steps.page);
    assert.equal(steps.authorizationServerUrl.searchParams.get("client_id"), "gateway-client");
    assert.equal(up.events.filter((e) => e.type === "register").length, 0);
    const r = await whoami(session, name);
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result.client_id, "gateway-client");
  });
});

describe("without CONNECTIONS_KEY", () => {
  let gateway: Gateway;
  let session: Session;
  before(async () => {
    gateway = await startGateway({ config: { network: { allow_loopback: true } } });
    session = await connect(gateway.mcpUrl);
  });
  after(async () => {
    await session?.close();
    await gateway?.dispose();
  });

  test("an OAuth server cannot be signed in to, and the error says how to set the key", async () => {
    const up = await upstream();
    const added = await session.call("add_server", { name: serverName(), url: up.url });
    assert.match(JSON.stringify(added), /CONNECTIONS_KEY/);
    assert.match(JSON.stringify(added), /openssl rand -hex 32/);
  });
});
