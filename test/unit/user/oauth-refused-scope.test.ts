/**
 * Scopes the authorization server refused (`invalid_scope`) when a sign-in asked for them beyond what the server
 * needed (src/user/oauth/refused-scope.ts, src/user/oauth/sign-in-scope.ts), over the in-memory SqlStorage the
 * conformance harness uses: what counts as asked for beyond the needed scopes, and that later sign-ins (and the
 * reuse of a pending one) leave the refused scopes out unless a challenge names them. End to end:
 * test/e2e/oauth-refused-scope.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { memorySql } from "../../../scripts/conformance-auth/memory-sql";
import { pendingLink } from "../../../src/user/oauth/oauth-flows";
import { OAuthStore } from "../../../src/user/oauth/oauth-store";
import { askedBeyond } from "../../../src/user/oauth/refused-scope";
import { grantedScopes, widerScopes, withoutScopes } from "../../../src/user/oauth/sign-in-scope";
import { addTestFlow, FLOW_ORIGIN, FLOW_SERVER_URL } from "../../support/oauth-flow-rows";

const URL_A = FLOW_SERVER_URL;
const ORIGIN = FLOW_ORIGIN;
const TARGET = { server: "s", serverUrl: URL_A, origin: ORIGIN };

function addFlow(store: OAuthStore, id: string, scope: string, stepUp = false): void {
  addTestFlow(store, { id, scope, stepUp, required: "mcp" });
}

test("a sign-in asked for more than it needed when its scope has tokens its required set lacks (offline_access aside)", () => {
  assert.deepEqual(askedBeyond({ scope: "admin mcp offline_access write", required: "mcp" }), ["admin", "write"]);
  assert.deepEqual(askedBeyond({ scope: "mcp offline_access", required: "mcp" }), []);
  assert.deepEqual(askedBeyond({ scope: "admin mcp", required: "" }), ["admin", "mcp"], "nothing was required");
  assert.deepEqual(askedBeyond({ scope: "admin mcp", required: null }), [], "a flow stored before: never narrowed");
  assert.deepEqual(askedBeyond({ scope: 'mcp "x\u0007 admin', required: "mcp" }), ["admin"], "scope tokens only");
});

test("refused scopes are left out of the granted and waiting ones a sign-in adds, and a pending sign-in without them is reused", () => {
  const store = new OAuthStore(memorySql());
  store.saveGrant("s", URL_A, { status: "expired", scopes: "admin mcp write", refused_scopes: "admin" });
  addFlow(store, "step", "admin mcp write", true);
  assert.equal(grantedScopes(store, TARGET), "mcp write");
  assert.deepEqual(widerScopes(store, TARGET, true), ["mcp write", "mcp write"]);
  assert.deepEqual(widerScopes(store, TARGET, false), ["mcp write"]);
  addFlow(store, "narrow", "mcp write");
  assert.equal(pendingLink(store, TARGET), `${ORIGIN}/connections/authorize?flow=narrow`);
  assert.equal(pendingLink(store, TARGET, "admin"), undefined, "a challenge naming a refused scope still asks for it");
  store.saveGrant("s", "https://b.example/mcp", { scopes: "mcp", refused_scopes: "mcp" });
  assert.equal(grantedScopes(store, TARGET), "", "a grant at another URL lends nothing, refused or not");
});

test("withoutScopes keeps the valid tokens of a scope that are not refused", () => {
  assert.equal(withoutScopes("a b c", "b"), "a c");
  assert.equal(withoutScopes("a b", null), "a b");
  assert.equal(withoutScopes(null, "a"), "");
  assert.equal(withoutScopes('a "b c', ""), "a c");
});
