import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { type ConsentOutcome, consent, TestOAuthProvider } from "../support/oauth-client";
import { rawRequest } from "../support/raw-http";

const ALICE_KEY = `alice_${randomBytes(24).toString("base64url")}`;
const BOB_KEY = `bob_${randomBytes(24).toString("base64url")}`;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
// Alice's key is given raw (hashed when loaded); Bob's only as its SHA-256.
const API_KEYS = `alice:${ALICE_KEY}\nbob:sha256:${sha256(BOB_KEY)}`;
const ACCEPT = "application/json, text/event-stream";
const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
};
const LIST_TOOLS = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} };

const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });

function post(url: URL, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

describe("API keys", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({
      config: {
        servers: [{ name: "workspace", url: "builtin:workspace" }],
        auth: { mode: "api_keys" },
        expose_builtin_routes: true,
      },
      vars: { API_KEYS },
    });
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("a request without a token gets 401 with a Bearer challenge", async () => {
    const res = await post(gateway.mcpUrl, INIT);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="codemode-gateway"/);
    assert.match(JSON.stringify(await res.json()), /Authorization: Bearer/);
  });

  test("a wrong key gets 401 invalid_token", async () => {
    const res = await post(gateway.mcpUrl, INIT, { authorization: `Bearer ${ALICE_KEY}x` });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
  });

  test("a valid raw key opens a session and runs code", async () => {
    const s = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    const r = await run(s, "return 6 * 7");
    assert.equal(r.result, 42);
    await s.close();
  });

  test("a key stored only as its SHA-256 works", async () => {
    const s = await connect(gateway.mcpUrl, {}, bearer(BOB_KEY));
    assert.ok((await s.client.listTools()).tools.some((t) => t.name === "execute_code"));
    await s.close();
  });

  test("replaying alice's session id with bob's key gets 404", async () => {
    const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    const id = alice.transport.sessionId!;
    const headers = { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" };
    const asBob = await post(gateway.mcpUrl, LIST_TOOLS, { ...headers, authorization: `Bearer ${BOB_KEY}` });
    assert.equal(asBob.status, 404);
    const asAlice = await post(gateway.mcpUrl, LIST_TOOLS, { ...headers, authorization: `Bearer ${ALICE_KEY}` });
    assert.equal(asAlice.status, 200);
    await alice.close();
  });

  test("replaying a session id with no token at all gets 401, never the session", async () => {
    const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    const res = await post(gateway.mcpUrl, LIST_TOOLS, {
      "mcp-session-id": alice.transport.sessionId!,
      "mcp-protocol-version": "2025-11-25",
    });
    assert.equal(res.status, 401);
    await alice.close();
  });

  test("each user's workspace is their own", async () => {
    const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    const bob = await connect(gateway.mcpUrl, {}, bearer(BOB_KEY));
    const write = await run(
      alice,
      'import { write_file } from "servers/workspace"; await write_file({ path: "/secret.txt", content: "alice only" }); return "ok";',
    );
    assert.equal(write.result, "ok");
    const read = (s: Session) =>
      run(s, 'import { read_file } from "servers/workspace"; return await read_file({ path: "/secret.txt" });');
    assert.equal((await read(alice)).result, "alice only");
    const asBob = await read(bob);
    assert.equal(asBob.ok, false);
    assert.doesNotMatch(JSON.stringify(asBob), /alice only/);
    await alice.close();
    await bob.close();
  });

  test("the built-in workspace route authenticates and serves the caller's own workspace", async () => {
    const url = new URL("/servers/workspace/mcp", gateway.url);
    assert.equal((await post(url, INIT)).status, 401);
    const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    await run(
      alice,
      'import { write_file } from "servers/workspace"; await write_file({ path: "/direct.txt", content: "from alice" });',
    );
    const read = async (key: string) => {
      const client = new Client({ name: "t", version: "0" });
      await client.connect(new StreamableHTTPClientTransport(url, bearer(key)));
      const r = await client.callTool({ name: "read_file", arguments: { path: "/direct.txt" } });
      await client.close();
      return r as { isError?: boolean; content: { text: string }[] };
    };
    assert.equal((await read(ALICE_KEY)).content[0]!.text, "from alice");
    assert.equal((await read(BOB_KEY)).isError, true);
    await alice.close();
  });

  test("a token in the query string gets 400 and is not used", async () => {
    const url = new URL(gateway.mcpUrl);
    url.searchParams.set("access_token", ALICE_KEY);
    const res = await post(url, INIT);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(await res.json()), /query string are refused/);
  });
});

describe("API key mode without the secret", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({ config: { auth: { mode: "api_keys" } } });
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("every request gets 500 naming the missing secret, and nobody gets in", async () => {
    const res = await post(gateway.mcpUrl, INIT, { authorization: `Bearer ${ALICE_KEY}` });
    assert.equal(res.status, 500);
    assert.match(JSON.stringify(await res.json()), /secret API_KEYS is not set/);
  });
});

describe("OAuth 2.1", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({
      config: { servers: [{ name: "workspace", url: "builtin:workspace" }], auth: { mode: "oauth" } },
      vars: { API_KEYS },
      bindings: { OAUTH_KV: { type: "kv_namespace", id: "oauth-test" } },
    });
  });
  after(async () => {
    await gateway?.dispose();
  });

  /** The SDK's flow up to the consent page: 401, discovery, registration; the URL the user would be sent to. */
  async function pendingSignIn() {
    const provider = new TestOAuthProvider();
    const transport = new StreamableHTTPClientTransport(gateway.mcpUrl, { authProvider: provider });
    const client = new Client({ name: "t", version: "0" });
    await assert.rejects(client.connect(transport), UnauthorizedError);
    assert.ok(provider.authorizationUrl, "the SDK asked the user to authorize");
    return { provider, transport, authorizationUrl: provider.authorizationUrl };
  }

  /** The SDK's own flow: 401, discovery, registration, authorization (signed in with `apiKey`), token. */
  async function authorize(apiKey: string): Promise<TestOAuthProvider> {
    const { provider, transport, authorizationUrl } = await pendingSignIn();
    const outcome = await consent(authorizationUrl, apiKey);
    assert.equal(outcome.status, 302, outcome.body);
    assert.ok(outcome.code, `no code in ${outcome.location}`);
    await transport.finishAuth(outcome.code);
    return provider;
  }

  test("Protected Resource Metadata names the gateway as resource and authorization server", async () => {
    const res = await fetch(new URL("/.well-known/oauth-protected-resource", gateway.url));
    assert.equal(res.status, 200);
    const prm = (await res.json()) as { resource: string; authorization_servers: string[] };
    assert.equal(prm.resource.replace(/\/$/, ""), gateway.url.origin);
    assert.deepEqual(prm.authorization_servers, [gateway.url.origin]);
    const as = await fetch(new URL("/.well-known/oauth-authorization-server", gateway.url));
    assert.equal(as.status, 200);
  });

  test("/mcp without a token gets 401 with WWW-Authenticate resource_metadata", async () => {
    const res = await post(gateway.mcpUrl, INIT);
    assert.equal(res.status, 401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /^Bearer /);
    assert.ok(
      challenge.includes(`resource_metadata="${gateway.url.origin}/.well-known/oauth-protected-resource"`),
      challenge,
    );
  });

  test("a bad token gets 401 invalid_token with resource_metadata", async () => {
    const res = await post(gateway.mcpUrl, INIT, { authorization: "Bearer alice:nogrant:forged" });
    assert.equal(res.status, 401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /error="invalid_token"/);
    assert.match(challenge, /resource_metadata="[^"]+"/);
  });

  test("an API key is not an access token in OAuth mode", async () => {
    const res = await post(gateway.mcpUrl, INIT, { authorization: `Bearer ${ALICE_KEY}` });
    assert.equal(res.status, 401);
  });

  test("a token in the query string gets 400", async () => {
    const url = new URL(gateway.mcpUrl);
    url.searchParams.set("access_token", "anything");
    assert.equal((await post(url, INIT)).status, 400);
  });

  test("the SDK client registers, signs in with an API key, gets a token and uses /mcp", async () => {
    const provider = await authorize(ALICE_KEY);
    assert.ok(provider.savedTokens?.access_token);
    const s = await connect(gateway.mcpUrl, {}, { authProvider: provider });
    assert.equal((await run(s, "return 1 + 1")).result, 2);
    await s.close();
  });

  test("a wrong API key on the consent page issues no code", async () => {
    const { authorizationUrl } = await pendingSignIn();
    const outcome = await consent(authorizationUrl, `${ALICE_KEY}wrong`);
    assert.equal(outcome.status, 401);
    assert.equal(outcome.code, undefined);
  });

  test("denying consent redirects back with access_denied", async () => {
    const { authorizationUrl } = await pendingSignIn();
    const outcome = await consent(authorizationUrl, ALICE_KEY, "deny");
    assert.equal(outcome.status, 302);
    assert.equal(new URL(outcome.location!).searchParams.get("error"), "access_denied");
  });

  test("a token is refused at another audience (the same gateway reached under another name)", async () => {
    const provider = await authorize(ALICE_KEY);
    const token = provider.savedTokens!.access_token;
    const send = (host: string) =>
      rawRequest(gateway.mcpUrl, {
        method: "POST",
        headers: {
          host,
          "content-type": "application/json",
          accept: ACCEPT,
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify(INIT),
      });
    assert.equal((await send(gateway.url.host)).status, 200);
    const elsewhere = await send(`localhost:${gateway.url.port}`);
    assert.equal(elsewhere.status, 401);
    assert.match(String(elsewhere.headers["www-authenticate"]), /invalid_token/);
  });

  test("replaying alice's session id with bob's token gets 404", async () => {
    const alice = await connect(gateway.mcpUrl, {}, { authProvider: await authorize(ALICE_KEY) });
    const bob = await authorize(BOB_KEY);
    const res = await post(gateway.mcpUrl, LIST_TOOLS, {
      "mcp-session-id": alice.transport.sessionId!,
      "mcp-protocol-version": "2025-11-25",
      authorization: `Bearer ${bob.savedTokens!.access_token}`,
    });
    assert.equal(res.status, 404);
    await alice.close();
  });

  // Last in this block: it spends the address's budget of key checks, which the tests above also draw from.
  test("API key checks on the consent page are rate-limited per address, like the sign-in page", async () => {
    const { authorizationUrl } = await pendingSignIn();
    let limited: ConsentOutcome | undefined;
    for (let i = 0; i < 11 && !limited; i++) {
      const outcome = await consent(authorizationUrl, `${ALICE_KEY}wrong`);
      if (outcome.status === 429) limited = outcome;
      else assert.equal(outcome.status, 401);
    }
    assert.ok(limited, "no 429 within 11 attempts");
    assert.match(limited.body, /Too many sign-in attempts/);
    // Once spent, even the right key waits: the budget counts checks, not failures.
    assert.equal((await consent(authorizationUrl, ALICE_KEY)).status, 429);
  });
});
