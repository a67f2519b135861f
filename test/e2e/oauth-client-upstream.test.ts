/**
 * The gateway's OAuth client to user servers (src/user/oauth/, run here in Node over the conformance harness's
 * in-memory SQLite in place of the user object's storage) against the real test OAuth upstream
 * (test/support/oauth-upstream.mjs): what the conformance suite does not exercise — refresh with rotation on the
 * host, the `expired` status when a refresh is refused, revocation on forget, and the signed-in user's identity.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, test } from "node:test";
import { memorySql } from "../../scripts/conformance-auth/memory-sql";
import { signIn } from "../../scripts/conformance-auth/sign-in";
import { OAuthConnections } from "../../src/user/oauth/oauth-connections";
import { type OAuthUpstream, type OAuthUpstreamOptions, startOAuthUpstream } from "../support/oauth-upstream.mjs";

const ORIGIN = "http://127.0.0.1:8787";
const SERVER = "notes";

const running: OAuthUpstream[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((u) => u.stop()));
});

/** A user's OAuth client, signed in to a fresh upstream started with `options` (auto-approving as alice). */
async function connected(options: OAuthUpstreamOptions = {}) {
  const up = await startOAuthUpstream({ autoApprove: true, ...options });
  running.push(up);
  const env = {
    GATEWAY_CONFIG: JSON.stringify({ network: { allow_loopback: true } }),
    CONNECTIONS_KEY: randomBytes(32).toString("hex"),
  };
  const oauth = new OAuthConnections(memorySql(), env, "alice");
  const target = { server: SERVER, serverUrl: up.url };
  await signIn(oauth, { ...target, origin: ORIGIN });
  return { up, oauth, target };
}

/** whoami over MCP with `token` (a plain JSON-RPC request: the bearer check is what is tested). */
async function whoami(up: OAuthUpstream, token: string) {
  const res = await fetch(up.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }),
  });
  if (res.status !== 200) return { status: res.status };
  const body = (await res.json()) as { result: { structuredContent: { subject: string; scopes: string[] } } };
  return { status: 200, ...body.result.structuredContent };
}

const token = async (oauth: OAuthConnections, target: { server: string; serverUrl: string }) => {
  const result = await oauth.accessToken(target);
  assert.ok(result.ok, `a token (got ${JSON.stringify(result)})`);
  return result.token;
};

test("after the sign-in the server is connected and its token acts as the consenting user", async () => {
  const { up, oauth, target } = await connected({ subject: "alice" });
  assert.equal(oauth.status(SERVER)?.status, "connected");
  assert.deepEqual(oauth.status(SERVER)?.scopes, ["mcp"]);
  const me = await whoami(up, await token(oauth, target));
  assert.equal(me.status, 200);
  assert.equal((me as { subject: string }).subject, "alice");
});

test("a token near its expiry is refreshed on the host, and the rotated-out refresh token is spent", async () => {
  const { up, oauth, target } = await connected({ accessTokenTtl: 2 });
  const first = await token(oauth, target);
  await new Promise((r) => setTimeout(r, 1_700));
  const second = await token(oauth, target);
  assert.notEqual(second, first);
  assert.equal(up.events.filter((e) => e.type === "refresh").length, 1);
  assert.equal(up.provider.usedRefreshTokens.size, 1, "the old refresh token was exchanged once and is now refused");
  assert.equal((await whoami(up, second)).status, 200);
});

test("a refresh the authorization server refuses leaves the server expired with a message that a sign-in is needed", async () => {
  const { up, oauth, target } = await connected({ accessTokenTtl: 2 });
  up.set({ failRefresh: true });
  await new Promise((r) => setTimeout(r, 1_700));
  const result = await oauth.accessToken(target);
  assert.equal(result.ok, false);
  assert.equal(oauth.status(SERVER)?.status, "expired");
  assert.match(oauth.status(SERVER)?.message ?? "", /; a new sign-in is needed$/);
});

test("forgetting the server revokes its tokens at the authorization server", async () => {
  const { up, oauth, target } = await connected();
  const access = await token(oauth, target);
  assert.deepEqual(await oauth.forget(SERVER), { revoked: true });
  assert.ok(up.revoked.some((r) => r.kind === "refresh_token" && r.subject === "alice"));
  assert.equal((await whoami(up, access)).status, 401, "the revoked access token no longer works");
  assert.equal(oauth.status(SERVER), undefined);
});
