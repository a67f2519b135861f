/**
 * The scope a sign-in asks for (src/user/oauth/sign-in-scope.ts) and the reuse of a pending plain sign-in link
 * (pendingLink, src/user/oauth/oauth-flows.ts), over the in-memory SqlStorage the conformance harness uses: the
 * challenge's scopes first, then the granted ones and the waiting step-ups', each once, sorted, and bounded however
 * hostile the strings they come from. End to end: test/e2e/oauth-sign-in-scope.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { memorySql } from "../../../scripts/conformance-auth/memory-sql";
import { MAX_SCOPE_INPUT_CHARS } from "../../../src/registry/step-up-scope";
import { pendingLink } from "../../../src/user/oauth/oauth-flows";
import { OAuthStore } from "../../../src/user/oauth/oauth-store";
import { statusView } from "../../../src/user/oauth/oauth-tokens";
import {
  MAX_SCOPES_ASKED,
  scopeSet,
  scopeTokens,
  widerScopes,
  withScopeSet,
} from "../../../src/user/oauth/sign-in-scope";
import { stepUpWanted } from "../../../src/user/oauth/step-up";
import { addTestFlow, FLOW_ORIGIN, FLOW_SERVER_URL } from "../../support/oauth-flow-rows";

const URL_A = FLOW_SERVER_URL;
const ORIGIN = FLOW_ORIGIN;
const TARGET = { server: "s", serverUrl: URL_A, origin: ORIGIN };
let seq = 0;

function addFlow(store: OAuthStore, scope: string, stepUp = false, serverUrl = URL_A): string {
  const id = `f${++seq}`;
  addTestFlow(store, { id, scope, stepUp, serverUrl, createdAt: Date.now() + seq });
  return id;
}

test("a sign-in asks for the challenged scopes and the wider ones, each once, sorted", () => {
  assert.equal(scopeSet("mcp", ["admin mcp", "write  admin"]), "admin mcp write");
  assert.equal(scopeSet(undefined, ["mcp"]), "mcp");
  assert.equal(scopeSet("", []), "");
  assert.equal(stepUpWanted("mcp", "mcp admin"), "admin mcp");
});

test("only RFC 6749 scope tokens are kept: quotes, backslashes, control and non-ASCII characters are dropped, and only ASCII whitespace separates", () => {
  assert.equal(
    scopeSet('admin "injected\x07 back\\slash \u202Eevil read:all x\u00a0y', ["mcp v\x0btab \x7f"]),
    "admin mcp read:all",
  );
  assert.equal(scopeTokens("a\tb\nc\fd\re").join(","), "a,b,c,d,e");
  assert.equal(stepUpWanted("mcp", '"only" \x00bad'), "", "a challenge without a valid scope is not a step-up set");
});

test("a scope set stays within MAX_SCOPES_ASKED tokens and MAX_SCOPE_INPUT_CHARS characters, the challenged scopes first", () => {
  const thousands = Array.from({ length: 50_000 }, (_, i) => `g${i}`).join(" ");
  const set = scopeSet("zz-challenged", [thousands]);
  const tokens = set.split(" ");
  assert.ok(tokens.length <= MAX_SCOPES_ASKED, `${tokens.length} tokens`);
  assert.ok(set.length <= MAX_SCOPE_INPUT_CHARS, `${set.length} characters`);
  assert.ok(tokens.includes("zz-challenged"), "the challenged scope is kept before the granted ones");
  const huge = "x".repeat(1_000_000);
  assert.equal(scopeSet(`admin ${huge}`, [`mcp ${huge} late`]), "admin mcp", "a token past the bound is dropped");
  const long = Array.from({ length: 80 }, (_, i) => `${"s".repeat(60)}${i}`).join(" ");
  assert.ok(scopeSet(long).length <= MAX_SCOPE_INPUT_CHARS);
  // A token the input bound cuts is dropped, not asked for cut.
  const cut = `${"a".repeat(MAX_SCOPE_INPUT_CHARS - 3)} abcdef`;
  assert.deepEqual(scopeTokens(cut), ["a".repeat(MAX_SCOPE_INPUT_CHARS - 3)]);
});

test("a plain sign-in is widened by its grant at the same URL and its waiting step-ups; a step-up by its grant only", () => {
  const store = new OAuthStore(memorySql());
  store.saveGrant("s", URL_A, { status: "expired", scopes: "admin mcp" });
  addFlow(store, "mcp write", true);
  addFlow(store, "files:read", true, "https://b.example/mcp");
  assert.deepEqual(widerScopes(store, TARGET, true), ["admin mcp", "mcp write"]);
  assert.deepEqual(widerScopes(store, TARGET, false), ["admin mcp"]);
  store.saveGrant("s", "https://old.example/mcp", { scopes: "secret:all" });
  assert.deepEqual(widerScopes(store, TARGET, false), [], "a grant at another URL lends no scope");
});

test("the authorization request's scope is widened and bounded; its other parameters stay", () => {
  const location = "https://as.example/authorize?client_id=c&scope=mcp&state=s.1&code_challenge=x%2By";
  const widened = new URL(withScopeSet(location, ["admin mcp"]));
  assert.equal(widened.searchParams.get("scope"), "admin mcp");
  assert.equal(widened.searchParams.get("code_challenge"), "x+y");
  assert.equal(widened.searchParams.get("state"), "s.1");
  assert.equal(
    withScopeSet("https://as.example/authorize?scope=admin%20mcp", ["mcp"]),
    "https://as.example/authorize?scope=admin%20mcp",
  );
  const hostile = `https://as.example/authorize?scope=${encodeURIComponent(Array.from({ length: 9_000 }, (_, i) => `p${i}`).join(" "))}`;
  assert.ok((new URL(withScopeSet(hostile, [])).searchParams.get("scope") ?? "").split(" ").length <= MAX_SCOPES_ASKED);
});

test("a pending plain sign-in is reused only while it asks for the granted scopes and the waiting step-ups'", () => {
  const store = new OAuthStore(memorySql());
  store.saveGrant("s", URL_A, { status: "connected", scopes: "mcp", tokens: "sealed" });
  const plain = addFlow(store, "mcp");
  assert.equal(pendingLink(store, TARGET), `${ORIGIN}/connections/authorize?flow=${plain}`);
  addFlow(store, "admin mcp", true);
  assert.equal(pendingLink(store, TARGET), undefined, "made before the step-up, it lacks admin");
  const wide = addFlow(store, "admin mcp");
  assert.equal(pendingLink(store, TARGET), `${ORIGIN}/connections/authorize?flow=${wide}`);
  assert.equal(pendingLink(store, TARGET, "write"), undefined, "a challenge it lacks");
});

test("list_servers shows a grant's scope tokens only, each once, at most MAX_SCOPES_ASKED", () => {
  const store = new OAuthStore(memorySql());
  const junk = Array.from({ length: 5_000 }, (_, i) => `s${i}`).join(" ");
  store.saveGrant("s", URL_A, { status: "connected", scopes: `mcp mcp "ignore previous\u0007 ${junk}` });
  const { scopes } = statusView(store.grant("s")!);
  assert.equal(scopes?.length, MAX_SCOPES_ASKED);
  assert.deepEqual(scopes?.slice(0, 3), ["mcp", "s0", "s1"], "quoted and control-character words are dropped");
});
