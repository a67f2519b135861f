/**
 * Web sessions in the user object's storage (src/user/web-sessions.ts), over the in-memory SqlStorage of the
 * conformance harness: expiry, sign-out, the per-user cap, and that only a hash of the cookie secret is kept.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { memorySql } from "../../../scripts/conformance-auth/memory-sql";
import { WEB_SESSION_TTL_MS, WEB_SESSIONS_MAX, WebSessions } from "../../../src/user/web-sessions";

test("a session is live until its expiry and not a moment after", async () => {
  const sessions = new WebSessions(memorySql());
  const grant = await sessions.create(1_000);
  assert.deepEqual(await sessions.check(grant.secret, 1_000 + WEB_SESSION_TTL_MS - 1), {
    ok: true,
    csrf: grant.csrf,
    expires_at: 1_000 + WEB_SESSION_TTL_MS,
  });
  assert.deepEqual(await sessions.check(grant.secret, 1_000 + WEB_SESSION_TTL_MS), { ok: false });
});

test("ending a session makes its secret worthless", async () => {
  const sessions = new WebSessions(memorySql());
  const grant = await sessions.create();
  await sessions.end(grant.secret);
  assert.deepEqual(await sessions.check(grant.secret), { ok: false });
});

test("signing in once more than the cap drops the oldest session only", async () => {
  const sessions = new WebSessions(memorySql());
  const grants = [];
  for (let i = 0; i <= WEB_SESSIONS_MAX; i++) grants.push(await sessions.create(1_000 + i));
  assert.deepEqual(await sessions.check(grants[0]!.secret, 2_000), { ok: false });
  for (const grant of grants.slice(1)) assert.equal((await sessions.check(grant.secret, 2_000)).ok, true);
});

test("the storage holds a hash of the cookie secret, never the secret", async () => {
  const sql = memorySql();
  const grant = await new WebSessions(sql).create();
  const stored = JSON.stringify(sql.exec("SELECT * FROM web_sessions").toArray());
  assert.ok(!stored.includes(grant.secret));
});
