/**
 * User servers that sign in with OAuth (#15 items 2 and 4), against the real OAuth-protected test upstream
 * (test/support/oauth-upstream.mjs): add_server answers the upstream's 401 challenge with a gateway sign-in URL;
 * after the sign-in, code calls the server. When the authorization is lost while code runs, a client without
 * URL-mode elicitation gets `authorization_required` and a handle that approve_call resumes, replaying the calls
 * that already ran; a client with it is asked to open the URL and the call continues after the sign-in.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { type OAuthUpstream, startOAuthUpstream } from "../support/oauth-upstream.mjs";
import { startNodeUpstream } from "../support/upstreams";

const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));

let upstream: OAuthUpstream;
let gateway: Gateway;
let session: Session;

/** The browser's part of a sign-in, with fetch: gateway link, the upstream's auto-approval, the gateway callback. */
async function signIn(link: string): Promise<void> {
  const start = await fetch(link, { redirect: "manual" });
  assert.equal(start.status, 302, `the sign-in link redirects (got ${start.status}: ${await start.text()})`);
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const approved = await fetch(start.headers.get("location")!, { redirect: "manual" });
  assert.equal(approved.status, 302, "the authorization server approves at once (autoApprove)");
  const done = await fetch(approved.headers.get("location")!, { redirect: "manual", headers: { cookie } });
  assert.ok(done.status < 400, `the callback completes the sign-in (got ${done.status})`);
}

/**
 * Makes the user's authorization unusable: tokens forgotten upstream and refresh refused. `refreshTried` first
 * waits out the OAuth client's guard against forcing a refresh of a token obtained moments ago
 * (src/user/oauth/oauth-tokens.ts), so the refused refresh is what expires the grant; without it the gateway
 * has no newer token to try and starts a new sign-in at once.
 */
async function loseAuthorization(refreshTried: boolean): Promise<void> {
  if (refreshTried) await new Promise((resolve) => setTimeout(resolve, 5_500));
  upstream.provider.accessTokens.clear();
  upstream.set({ failRefresh: true });
}

before(async () => {
  upstream = await startOAuthUpstream({ autoApprove: true });
  gateway = await startGateway({
    config: { network: { allow_loopback: true } },
    vars: { CONNECTIONS_KEY: randomBytes(32).toString("hex") },
  });
  session = await connect(gateway.mcpUrl);
});

after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

test("add_server on an OAuth upstream answers with a gateway sign-in URL; after the sign-in code calls it", async () => {
  const added = await session.data("add_server", { name: "oauthy", url: upstream.url });
  assert.equal(added.status, "authorization_required", JSON.stringify(added));
  assert.ok(added.authorization_url.startsWith(`${gateway.url.origin}/connections/authorize?flow=`));
  await signIn(added.authorization_url);
  const r = await run(session, 'import { whoami } from "servers/oauthy";\nreturn await whoami({});');
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.match(JSON.stringify(r.result), /alice/);
  const { servers } = await session.data("list_servers", {});
  const listed = servers.find((s: { name: string }) => s.name === "oauthy");
  assert.equal(listed.scope, "user");
  assert.equal(listed.auth.type, "oauth");
  assert.equal(listed.auth.status, "connected");
});

test("a lost authorization ends the execution with authorization_required and a handle; approve_call after the sign-in resumes, replaying earlier calls", async () => {
  await loseAuthorization(true);
  const code = `import { write_file } from "servers/workspace";
import { whoami } from "servers/oauthy";
await write_file({ path: "/before-sign-in.txt", content: "once" });
return await whoami({});`;
  const stopped = await run(session, code);
  assert.equal(stopped.status, "authorization_required", JSON.stringify(stopped).slice(0, 1500));
  assert.equal(stopped.isError, false);
  assert.equal(stopped.authorization.server, "oauthy", JSON.stringify(stopped).slice(0, 2500));
  assert.ok(stopped.authorization.authorization_url, JSON.stringify(stopped).slice(0, 2500));
  assert.match(stopped.authorization.handle, /^apr_[0-9a-f]{32}$/);
  assert.ok(stopped.authorization.authorization_url.startsWith(`${gateway.url.origin}/connections/authorize`));
  upstream.set({ failRefresh: false });
  await signIn(stopped.authorization.authorization_url);
  const resumed = await session.call("approve_call", { handle: stopped.authorization.handle });
  const r = resumed.structuredContent as any;
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.match(JSON.stringify(r.result), /alice/);
  const write = r.tool_calls.find((c: { tool: string }) => c.tool === "write_file");
  assert.equal(write.replayed, true, "the earlier call was replayed, not run again");
});

test("with URL-mode elicitation the user is asked to sign in and the running call continues", async () => {
  await loseAuthorization(false);
  const asked: string[] = [];
  const elicited = await connect(gateway.mcpUrl, { capabilities: { elicitation: { url: {} } } });
  try {
    elicited.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const params = request.params as { mode?: string; url?: string };
      assert.equal(params.mode, "url");
      asked.push(params.url!);
      upstream.set({ failRefresh: false });
      // The user opens the link after accepting; the gateway waits for the sign-in to complete.
      setTimeout(() => void signIn(params.url!), 200);
      return { action: "accept" };
    });
    const r = await run(elicited, 'import { whoami } from "servers/oauthy";\nreturn await whoami({});');
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.match(JSON.stringify(r.result), /alice/);
    assert.equal(asked.length, 1);
  } finally {
    await elicited.close();
  }
});

test("authorize_server gives a fresh sign-in link, list_servers never shows a token, remove_server revokes them", async () => {
  const link = await session.data("authorize_server", { name: "oauthy" });
  assert.ok(link.authorization_url.startsWith(`${gateway.url.origin}/connections/authorize?flow=`));
  const gatewayServer = await session.call("authorize_server", { name: "workspace" });
  assert.equal(gatewayServer.isError, true);
  const listed = JSON.stringify(await session.call("list_servers", {}));
  const tokens = [...upstream.provider.accessTokens.keys(), ...upstream.provider.refreshTokens.keys()];
  assert.ok(tokens.length > 0);
  for (const token of tokens) assert.ok(!listed.includes(token), "list_servers showed a token");
  const removed = await session.data("remove_server", { name: "oauthy" });
  assert.deepEqual(removed, { removed: "oauthy", revoked: true });
  assert.ok(upstream.revoked.length > 0, "the authorization server saw the revocation");
});

test("after the authorization server forgets the gateway's dynamic client, remove_server and add_server register anew and the sign-in works", async () => {
  const forgetful = await startOAuthUpstream({ autoApprove: true });
  try {
    const first = await session.data("add_server", { name: "forgetful", url: forgetful.url });
    await signIn(first.authorization_url);
    // Its store reset (as this in-memory server's restart does): the client_id the gateway registered is unknown.
    forgetful.provider.clients.clear();
    await session.data("remove_server", { name: "forgetful" });
    const again = await session.data("add_server", { name: "forgetful", url: forgetful.url });
    assert.equal(again.status, "authorization_required", JSON.stringify(again));
    await signIn(again.authorization_url);
    const r = await run(session, 'import { whoami } from "servers/forgetful";\nreturn await whoami({});');
    assert.equal(r.ok, true, JSON.stringify(r));
  } finally {
    await forgetful.stop();
  }
});

test("a bare 401 to a server whose URL carries a key says the key may have been refused, not only 'sign in'", async () => {
  const quirky = await startOAuthUpstream({ autoApprove: true, bareChallenge: true });
  try {
    const added = await session.data("add_server", { name: "keyed", url: `${quirky.url}?key=expired` });
    assert.notEqual(added.status, "authorization_required", JSON.stringify(added));
    const { servers } = await session.data("list_servers", {});
    const keyed = servers.find((x: { name: string }) => x.name === "keyed");
    assert.match(keyed.last_error.message, /if its URL carries a key, the key was refused/);
    assert.match(keyed.last_error.message, /authorize_server finds the sign-in/);
  } finally {
    await session.data("remove_server", { name: "keyed" });
    await quirky.stop();
  }
});

test("authorize_server signs in to a server that never challenged a listing: one that asks only on tool calls, or with a bare 401", async () => {
  for (const [name, quirk] of [
    ["calls_only", { openListing: true }],
    ["bare_401", { bareChallenge: true }],
  ] as const) {
    const quirky = await startOAuthUpstream({ autoApprove: true, ...quirk });
    try {
      const added = await session.data("add_server", { name, url: quirky.url });
      // A bare 401 to a request without credentials is a sign-in too (the metadata is at the well-known URL).
      if (name === "bare_401") assert.equal(added.status, "authorization_required", JSON.stringify(added));
      if (name === "calls_only") {
        // Listed without a sign-in; the first call is refused with what to do.
        const refused = await run(session, `import { whoami } from "servers/${name}";\nreturn await whoami({});`);
        assert.equal(refused.ok, false);
        assert.match(
          refused.error.message,
          /requires OAuth sign-in \(HTTP 401\): authorize_server \{ "name": "calls_only" \}/,
        );
      }
      const link = await session.call("authorize_server", { name });
      assert.notEqual(link.isError, true, `${name}: ${JSON.stringify(link.content)}`);
      await signIn((link.structuredContent as { authorization_url: string }).authorization_url);
      const r = await run(session, `import { whoami } from "servers/${name}";\nreturn await whoami({});`);
      assert.equal(r.ok, true, `${name}: ${JSON.stringify(r)}`);
      assert.match(JSON.stringify(r.result), /alice/);
    } finally {
      await session.data("remove_server", { name });
      await quirky.stop();
    }
  }
});

test("authorize_server on a server that publishes no OAuth metadata says so, also as a new session's first call", async () => {
  // A plain MCP server (404 off /mcp): discovery finds nothing, and the SDK's fallback registration at the origin
  // fails. A new session (the MCP Inspector CLI opens one per call; the /connections page's Connect) has not
  // listed the server yet, and used to get only "cannot start the sign-in: Dynamic Client Registration rejected".
  const plain = await startNodeUpstream(CHANGING, []);
  try {
    assert.equal((await session.data("add_server", { name: "plain", url: plain.url })).status, "connected");
    const fresh = await connect(gateway.mcpUrl);
    try {
      const r = await fresh.call("authorize_server", { name: "plain" });
      assert.equal(r.isError, true);
      const text = (r.content[0] as { text: string }).text;
      // The upstream's HTML 404 page ("<!DOCTYPE html>... Cannot POST /register") is not quoted: its status is.
      assert.equal(
        text,
        "plain: the server does not offer OAuth sign-in: it publishes no OAuth metadata (neither protected resource metadata nor authorization server metadata) and has no registration endpoint (POST /register at its origin answered HTTP 404); a server that needs no sign-in is used as it is, and one that takes an API key is added with headers",
      );
      const { servers } = await fresh.data("list_servers", {});
      const listed = servers.find((x: { name: string }) => x.name === "plain");
      assert.equal(listed.auth.type, "none", "nothing was started: the server is still one without credentials");
      assert.equal(listed.status, "ok");
    } finally {
      await fresh.close();
    }
  } finally {
    await session.data("remove_server", { name: "plain" });
    await plain.stop();
  }
});

test("authorize_server on a web server whose 404 is an HTML page names the status, never the page's markup", async () => {
  // An origin with no OAuth and no /register, answering as Express does: "<!DOCTYPE html>... Cannot POST /register".
  const web = createServer((req, res) => {
    req.resume();
    res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Error</title></head>\n<body><pre>Cannot ${req.method} ${req.url}</pre></body>\n</html>\n`,
    );
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/mcp`;
  try {
    await session.data("add_server", { name: "webpage", url });
    const r = await session.call("authorize_server", { name: "webpage" });
    assert.equal(r.isError, true);
    const text = (r.content[0] as { text: string }).text;
    // It is failing (its /mcp answers the same page), so the answer says that first, then why there is no sign-in.
    assert.match(
      text,
      /found no OAuth sign-in to offer \(webpage: the server does not offer OAuth sign-in: .* \(POST \/register at its origin answered HTTP 404\)/,
    );
    assert.doesNotMatch(text, /<|DOCTYPE|Cannot POST \/register/);
  } finally {
    await session.data("remove_server", { name: "webpage" });
    await new Promise((resolve) => web.close(resolve));
  }
});

test("a server added before the operator narrowed allow_hosts gets no sign-in requests: authorize_server says why", async () => {
  // The same user's storage under a gateway whose allow_hosts no longer names the server's host (127.0.0.1).
  const persistDir = mkdtempSync(join(tmpdir(), "cg-oauth-narrowed-"));
  const vars = { CONNECTIONS_KEY: randomBytes(32).toString("hex") };
  try {
    const permissive = await startGateway({ persistDir, config: { network: { allow_loopback: true } }, vars });
    try {
      const s = await connect(permissive.mcpUrl);
      assert.equal((await s.data("add_server", { name: "later", url: upstream.url })).status, "authorization_required");
      await s.close();
    } finally {
      await permissive.dispose();
    }
    const narrowed = await startGateway({
      persistDir,
      config: { network: { allow_loopback: true }, user_servers: { allow_hosts: ["mcp.example.com"] } },
      vars,
    });
    try {
      const s = await connect(narrowed.mcpUrl);
      const requests = upstream.requests;
      const r = await s.call("authorize_server", { name: "later" });
      assert.equal(r.isError, true, JSON.stringify(r));
      assert.match(
        (r.content[0] as { text: string }).text,
        /later: host 127\.0\.0\.1 is not in user_servers\.allow_hosts \(mcp\.example\.com\)/,
      );
      assert.equal(upstream.requests, requests, "no request reached the server: no probe, metadata or registration");
      await s.close();
    } finally {
      await narrowed.dispose();
    }
  } finally {
    rmSync(persistDir, { recursive: true, force: true });
  }
});
