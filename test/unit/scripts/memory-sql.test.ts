/**
 * The in-memory SqlStorage of the conformance harness (scripts/conformance-auth/memory-sql.ts) answers the OAuth
 * store (src/user/oauth/oauth-store.ts) as the Durable Object's storage does.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { OAuthStore } from "../../../src/user/oauth/oauth-store";
import { memorySql } from "../../../scripts/conformance-auth/memory-sql";

const flow = {
  id: "f1",
  server: "s",
  server_url: "https://mcp.example/mcp",
  origin: "https://gateway.example",
  state: "f1.secret",
  verifier: "sealed",
  discovery: "{}",
  location: "https://as.example/authorize",
  redirect_uri: "https://gateway.example/connections/callback",
  resource: null,
  scope: null,
  created_at: Date.now(),
  expires_at: Date.now() + 60_000,
};

test("a flow stored through OAuthStore reads back and can be used only once", () => {
  const store = new OAuthStore(memorySql());
  store.addFlow(flow);
  assert.equal(store.flow("f1")?.state, "f1.secret");
  assert.equal(store.useFlow("f1"), true);
  assert.equal(store.useFlow("f1"), false);
});

test("one() refuses a result that is not exactly one row, as SqlStorage does", () => {
  const sql = memorySql();
  sql.exec("CREATE TABLE t (a INTEGER)");
  assert.throws(() => sql.exec("SELECT a FROM t").one(), /exactly one/);
  assert.equal(sql.exec("INSERT INTO t (a) VALUES (?), (?)", 1, 2).rowsWritten, 2);
  assert.deepEqual(sql.exec<{ a: number }>("SELECT a FROM t ORDER BY a").toArray(), [{ a: 1 }, { a: 2 }]);
});
