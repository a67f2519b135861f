/**
 * The test OAuth upstream (test/support/oauth-upstream.mjs) is a real, conformant OAuth-protected MCP server: the
 * MCP SDK v2 client's own `auth()` discovers it, registers, signs in through its consent page with PKCE and
 * `resource`, checks `iss`, refreshes, steps up on insufficient_scope, and calls its tools over real HTTP.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { after, afterEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { auth, Client, type OAuthTokens, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type OAuthUpstream, startOAuthUpstream } from "../support/oauth-upstream.mjs";
import { REDIRECT_URI, TestOAuthProvider } from "../support/oauth-client";
import { freePort } from "../support/upstreams";

const SCRIPT = fileURLToPath(new URL("../support/oauth-upstream.mjs", import.meta.url));

type Upstream = OAuthUpstream;
const running: Upstream[] = [];
async function upstream(options: Parameters<typeof startOAuthUpstream>[0] = {}) {
  const up = await startOAuthUpstream(options);
  running.push(up);
  return up;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((u) => u.stop()));
});

/**
 * Opens the consent page of `authorizationUrl`, presses a button, and returns the redirect back to the client
 * (with autoApprove the authorization endpoint redirects at once).
 */
async function consent(authorizationUrl: URL, decision: "allow" | "deny", user?: string): Promise<URL> {
  const page = await fetch(authorizationUrl, { redirect: "manual" });
  if (page.status === 302) return new URL(page.headers.get("location") ?? "");
  assert.equal(page.status, 200, `the authorization endpoint shows a page (got ${page.status})`);
  const html = await page.text();
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(request, "the consent page carries its request id");
  const form = new URLSearchParams({ request, decision, ...(user ? { user } : {}) });
  const answer = await fetch(new URL("/consent", authorizationUrl), { method: "POST", body: form, redirect: "manual" });
  assert.equal(answer.status, 302);
  return new URL(answer.headers.get("location") ?? "");
}

/** The SDK's full sign-in: auth() to REDIRECT, the consent page, auth() with the code and iss to AUTHORIZED. */
async function signIn(
  up: Upstream,
  provider = new TestOAuthProvider(),
  options: { scope?: string; user?: string } = {},
) {
  // A wider scope cannot come from a refresh (RFC 6749 §6): step-up forces a new authorization, as the transport does.
  const forceReauthorization = options.scope !== undefined;
  assert.equal(await auth(provider, { serverUrl: up.url, scope: options.scope, forceReauthorization }), "REDIRECT");
  const back = await consent(provider.authorizationUrl as URL, "allow", options.user);
  const code = back.searchParams.get("code") ?? "";
  const iss = back.searchParams.get("iss") ?? undefined;
  assert.equal(await auth(provider, { serverUrl: up.url, authorizationCode: code, iss }), "AUTHORIZED");
  return provider;
}

async function connect(up: Upstream, provider: TestOAuthProvider) {
  const client = new Client({ name: "oauth-upstream-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(up.url), { authProvider: provider }));
  return client;
}

async function whoami(client: Client) {
  const result = await client.callTool({ name: "whoami", arguments: {} });
  return result.structuredContent as { subject: string; client_id: string; scopes: string[]; resource: string };
}

describe("oauth upstream", () => {
  test("the SDK client signs in through the consent page and whoami returns the consenting user", async () => {
    const up = await upstream();
    const provider = await signIn(up, undefined, { user: "carol" });
    const client = await connect(up, provider);
    const me = await whoami(client);
    assert.equal(me.subject, "carol");
    assert.deepEqual(me.scopes, ["mcp"]);
    assert.equal(me.resource, up.url);
    assert.equal(me.client_id, provider.client?.client_id);
    assert.ok(
      up.events.some((e) => e.type === "register"),
      "the client registered dynamically",
    );
    await client.close();
  });

  test("a request without a token gets 401 naming the protected resource metadata, which names the issuer", async () => {
    const up = await upstream();
    const res = await fetch(up.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(res.status, 401);
    assert.match(
      res.headers.get("www-authenticate") ?? "",
      new RegExp(`resource_metadata="${up.resourceMetadataUrl}"`),
    );
    const prm = (await (await fetch(up.resourceMetadataUrl)).json()) as any;
    assert.deepEqual(prm.authorization_servers, [up.issuer]);
    const as = (await (await fetch(new URL("/.well-known/oauth-authorization-server", up.issuer))).json()) as any;
    assert.equal(as.issuer, up.issuer);
    assert.equal(as.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(as.code_challenge_methods_supported, ["S256"]);
  });

  test("Deny on the consent page redirects back with access_denied, the state and the issuer", async () => {
    const up = await upstream();
    const provider = new TestOAuthProvider();
    await auth(provider, { serverUrl: up.url });
    const back = await consent(provider.authorizationUrl as URL, "deny");
    assert.equal(back.searchParams.get("error"), "access_denied");
    assert.equal(back.searchParams.get("state"), provider.authorizationUrl?.searchParams.get("state"));
    assert.equal(back.searchParams.get("iss"), up.issuer);
  });

  test("the authorization request carries S256 PKCE and the resource, and a wrong verifier is refused", async () => {
    const up = await upstream({ autoApprove: true });
    const provider = new TestOAuthProvider();
    await auth(provider, { serverUrl: up.url });
    const url = provider.authorizationUrl as URL;
    assert.equal(url.searchParams.get("code_challenge_method"), "S256");
    assert.equal(url.searchParams.get("resource"), up.url);
    const back = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "");
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      code: back.searchParams.get("code") ?? "",
      code_verifier: "x".repeat(43),
      redirect_uri: REDIRECT_URI,
      client_id: String(provider.client?.client_id),
    });
    const res = await fetch(new URL("/token", up.issuer), { method: "POST", body });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as any).error, "invalid_grant");
  });

  test("an authorization request for another resource is refused with invalid_target", async () => {
    const up = await upstream({ autoApprove: true });
    const provider = new TestOAuthProvider();
    await auth(provider, { serverUrl: up.url });
    const url = provider.authorizationUrl as URL;
    url.searchParams.set("resource", "http://127.0.0.1:9/elsewhere");
    const back = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "");
    assert.equal(back.searchParams.get("error"), "invalid_target");
  });

  test("the SDK client refuses a code whose redirect carries another issuer", async () => {
    const up = await upstream({ iss: "wrong" });
    const provider = new TestOAuthProvider();
    await auth(provider, { serverUrl: up.url });
    const back = await consent(provider.authorizationUrl as URL, "allow");
    const code = back.searchParams.get("code") ?? "";
    await assert.rejects(
      auth(provider, { serverUrl: up.url, authorizationCode: code, iss: back.searchParams.get("iss") ?? undefined }),
      /iss|issuer/i,
    );
    assert.ok(!up.events.some((e) => e.type === "token"), "no code was redeemed");
  });

  test("the SDK client refuses a redirect without iss when the metadata promises one", async () => {
    const up = await upstream({ iss: "missing" });
    const provider = new TestOAuthProvider();
    await auth(provider, { serverUrl: up.url });
    const back = await consent(provider.authorizationUrl as URL, "allow");
    assert.equal(back.searchParams.get("iss"), null);
    await assert.rejects(
      auth(provider, { serverUrl: up.url, authorizationCode: back.searchParams.get("code") ?? "" }),
      /RFC 9207/,
    );
    assert.ok(!up.events.some((e) => e.type === "token"), "no code was redeemed");
  });

  test("protected resource metadata naming another resource makes the SDK client stop before authorizing", async () => {
    const up = await upstream({ prmResource: "http://127.0.0.1:9/elsewhere" });
    await assert.rejects(auth(new TestOAuthProvider(), { serverUrl: up.url }), /elsewhere|resource/i);
    assert.ok(!up.events.some((e) => e.type === "authorize" || e.type === "register"));
  });

  test("authorization server metadata with another issuer makes the SDK client stop before registering", async () => {
    const up = await upstream({ asIssuer: "http://127.0.0.1:9/" });
    await assert.rejects(auth(new TestOAuthProvider(), { serverUrl: up.url }), /issuer/i);
    assert.ok(!up.events.some((e) => e.type === "register"));
  });

  test("an expired access token is refreshed by the SDK and the used refresh token is then refused", async () => {
    const up = await upstream({ autoApprove: true, accessTokenTtl: 1 });
    const provider = await signIn(up);
    const first = provider.savedTokens as OAuthTokens;
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(await auth(provider, { serverUrl: up.url }), "AUTHORIZED");
    assert.notEqual(provider.savedTokens?.access_token, first.access_token);
    assert.notEqual(provider.savedTokens?.refresh_token, first.refresh_token);
    const client = await connect(up, provider);
    assert.equal((await whoami(client)).subject, "alice");
    await client.close();
    const reuse = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: String(first.refresh_token),
      client_id: String(provider.client?.client_id),
    });
    const res = await fetch(new URL("/token", up.issuer), { method: "POST", body: reuse });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as any).error, "invalid_grant");
  });

  test("with failRefresh on, a refresh is refused with invalid_grant", async () => {
    const up = await upstream({ autoApprove: true });
    const provider = await signIn(up);
    up.set({ failRefresh: true });
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: String(provider.savedTokens?.refresh_token),
      client_id: String(provider.client?.client_id),
    });
    const res = await fetch(new URL("/token", up.issuer), { method: "POST", body });
    assert.equal(((await res.json()) as any).error, "invalid_grant");
  });

  test("admin_report without the admin scope gets 403 insufficient_scope naming the scopes needed", async () => {
    const up = await upstream({ autoApprove: true });
    const provider = await signIn(up);
    const res = await fetch(up.url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${provider.savedTokens?.access_token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "admin_report" } }),
    });
    assert.equal(res.status, 403);
    const challenge = res.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="mcp admin"/);
    assert.match(challenge, /resource_metadata="/);
  });

  test("the SDK transport answers that 403 with a new authorization request for both scopes", async () => {
    const up = await upstream({ autoApprove: true });
    const provider = await signIn(up);
    const client = await connect(up, provider);
    provider.authorizationUrl = undefined;
    await assert.rejects(client.callTool({ name: "admin_report", arguments: {} }));
    const asked = provider.authorizationUrl as URL | undefined;
    assert.equal(asked?.searchParams.get("scope"), "mcp admin");
    await client.close();
  });

  test("after re-authorizing with the challenged scope, admin_report answers", async () => {
    const up = await upstream({ autoApprove: true });
    const provider = await signIn(up);
    await signIn(up, provider, { scope: "mcp admin" });
    const client = await connect(up, provider);
    const result = await client.callTool({ name: "admin_report", arguments: {} });
    assert.deepEqual((result.structuredContent as { scopes: string[] }).scopes, ["mcp", "admin"]);
    await client.close();
  });

  test("a revoked refresh token is recorded and takes its access token with it", async () => {
    const up = await upstream({ autoApprove: true });
    const provider = await signIn(up);
    const body = new URLSearchParams({
      token: String(provider.savedTokens?.refresh_token),
      token_type_hint: "refresh_token",
      client_id: String(provider.client?.client_id),
    });
    const res = await fetch(new URL("/revoke", up.issuer), { method: "POST", body });
    assert.equal(res.status, 200);
    assert.deepEqual(
      up.revoked.map((r) => [r.kind, r.subject]),
      [["refresh_token", "alice"]],
    );
    const call = await fetch(up.url, {
      method: "POST",
      headers: { authorization: `Bearer ${provider.savedTokens?.access_token}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(call.status, 401);
  });

  test("a pre-registered confidential client authenticates with client_secret_basic", async () => {
    const up = await upstream({
      autoApprove: true,
      registration: false,
      clients: [{ client_id: "pre", client_secret: "s3cret", redirect_uris: [REDIRECT_URI] }],
    });
    const provider = new TestOAuthProvider();
    provider.client = { client_id: "pre", client_secret: "s3cret" };
    await signIn(up, provider);
    assert.ok(provider.savedTokens?.access_token);
    const as = (await (await fetch(new URL("/.well-known/oauth-authorization-server", up.issuer))).json()) as any;
    assert.equal(as.registration_endpoint, undefined);
  });

  test("a Client ID Metadata Document URL is accepted as client_id and its name shown on the consent page", async () => {
    const doc = createServer((_req, res) => {
      const port = (doc.address() as { port: number }).port;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          client_id: `http://127.0.0.1:${port}/client.json`,
          client_name: "Metadata Document Client",
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: "none",
        }),
      );
    });
    await new Promise<void>((r) => doc.listen(0, "127.0.0.1", r));
    try {
      const up = await upstream({ cimdAllowHttp: true });
      const clientId = `http://127.0.0.1:${(doc.address() as { port: number }).port}/client.json`;
      const url = new URL("/authorize", up.issuer);
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: REDIRECT_URI,
        response_type: "code",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
        resource: up.url,
      }).toString();
      const page = await fetch(url, { redirect: "manual" });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Authorize Metadata Document Client/);
    } finally {
      doc.close();
    }
  });
});

describe("oauth upstream command line", () => {
  const children: number[] = [];
  after(() => {
    for (const pid of children) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  });

  test("prints its MCP URL on stdout and stops on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [SCRIPT, "--port", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child.pid as number);
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(String(d).trim()));
      child.once("exit", (code) => reject(new Error(`exited with ${code}`)));
    });
    assert.equal(line, `http://127.0.0.1:${port}/mcp`);
    assert.equal((await fetch(line, { method: "POST" })).status, 401);
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});
