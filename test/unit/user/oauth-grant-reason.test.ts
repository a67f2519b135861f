/**
 * Why a grant is expired or in error is stored as a code and worded when read (src/user/oauth/grant-reason.ts): a
 * grant stored by an older version, with its reason as prose in the words of its time, reads in today's words on
 * list_servers (OAuthConnections.status, which the /connections page shows too) and in an access token's refusal.
 * Over the in-memory SqlStorage the conformance harness uses, with the table as the first OAuth release made it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { memorySql } from "../../../scripts/conformance-auth/memory-sql";
import { grantMessage, legacyReason, reasonFields } from "../../../src/user/oauth/grant-reason";
import { OAuthConnections } from "../../../src/user/oauth/oauth-connections";
import { OAuthStore } from "../../../src/user/oauth/oauth-store";

const URL_A = "https://a.example/mcp";
const ENV = { GATEWAY_CONFIG: "{}", CONNECTIONS_KEY: randomBytes(32).toString("hex") };

const REFUSED_NOW =
  "the authorization server refused to renew the token (invalid_grant: revoked); a new sign-in is needed";

/** Grants as older versions stored them: [server, status, message, what list_servers shows today]. */
const OLD_ROWS: Array<[string, string, string, string]> = [
  [
    "first",
    "expired",
    "first: the authorization server refused to renew the token (invalid_grant: revoked); sign in again with authorize_server",
    REFUSED_NOW,
  ],
  [
    "second",
    "expired",
    "the authorization server refused to renew the token (invalid_grant: revoked); sign in again with authorize_server",
    REFUSED_NOW,
  ],
  [
    "gone",
    "expired",
    "the stored tokens are gone; sign in again with authorize_server",
    "the stored tokens are gone; a new sign-in is needed",
  ],
  [
    "a.b*(", // a name is data: compared as text, never read as a pattern
    "expired",
    "a.b*(: the access token expired and no refresh token was issued",
    "the access token expired and no refresh token was issued",
  ],
  ["flaky", "error", "flaky: could not renew the token: HTTP 503", "could not renew the token: HTTP 503"],
  ["odd", "expired", "something no version of the gateway wrote", "something no version of the gateway wrote"],
];

/** A user object's storage as the first OAuth release made it (no authorized_at, no reason), with OLD_ROWS. */
function oldStorage(): SqlStorage {
  const sql = memorySql();
  sql.exec(`CREATE TABLE oauth_grants (
    server TEXT PRIMARY KEY, server_url TEXT NOT NULL, status TEXT NOT NULL, message TEXT, issuer TEXT,
    redirect_uri TEXT, resource TEXT, scopes TEXT, expires_at INTEGER, tokens TEXT, discovery TEXT,
    obtained_at INTEGER, updated_at INTEGER NOT NULL)`);
  for (const [server, status, message] of OLD_ROWS) {
    sql.exec(
      "INSERT INTO oauth_grants (server, server_url, status, message, updated_at) VALUES (?, ?, ?, ?, 0)",
      server,
      URL_A,
      status,
      message,
    );
  }
  return sql;
}

test("grants stored in older words read in today's on list_servers and in an access token's refusal", async () => {
  const oauth = new OAuthConnections(oldStorage(), ENV, "alice");
  for (const [server, status, , today] of OLD_ROWS) {
    assert.deepEqual(oauth.status(server), { type: "oauth", status, message: today }, server);
    const refused = await oauth.accessToken({ server, serverUrl: URL_A });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.message, today, server);
  }
});

test("a reason is stored as a code and its detail, without prose, and an older row keeps its text untouched", () => {
  const store = new OAuthStore(oldStorage());
  store.saveGrant("first", URL_A, { status: "expired", ...reasonFields("refresh_refused", "invalid_grant: revoked") });
  const row = store.grant("first")!;
  assert.deepEqual([row.reason, row.reason_detail, row.message], ["refresh_refused", "invalid_grant: revoked", null]);
  assert.equal(grantMessage(row), REFUSED_NOW);
  assert.equal(store.grant("second")?.reason, null, "read in today's words, not rewritten");
  store.saveGrant("second", URL_A, { status: "connected", reason: null, reason_detail: null, message: null });
  assert.equal(grantMessage(store.grant("second")!), undefined);
});

test("an older text is recognised only whole: a detail that looks like an ending stays the detail", () => {
  assert.deepEqual(legacyReason("s", "could not renew the token: x; sign in again with authorize_server"), undefined);
  assert.deepEqual(
    legacyReason("s", "the authorization server refused to renew the token (a (b)); a new sign-in is needed"),
    { reason: "refresh_refused", reason_detail: "a (b)" },
  );
  assert.equal(legacyReason("s", "the stored tokens are gone"), undefined, "that text always had its ending");
  assert.equal(legacyReason("s", "other: the stored tokens are gone; a new sign-in is needed")?.reason, undefined);
});

test("an unknown code (a newer version's) falls back to the stored text, or to none", () => {
  const row = { server: "s", reason: "from_the_future" as never, reason_detail: null, message: null };
  assert.equal(grantMessage(row), undefined);
  assert.equal(grantMessage({ ...row, message: "kept as written" }), "kept as written");
});
