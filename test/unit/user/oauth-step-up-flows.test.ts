/**
 * The bounds and lookups of step-up flows in the user's OAuth store (src/user/oauth/oauth-flow-store.ts,
 * src/user/oauth/step-up.ts), over the in-memory SqlStorage the conformance harness uses: a step-up is found again
 * only for the same scope set, each server keeps at most STEP_UP_FLOWS_PER_SERVER pending step-ups without pushing
 * out other servers' flows, a flow names a bounded number of tools, and what list_servers shows leaves out step-ups
 * granted or made stale since. End to end: test/e2e/oauth-step-up.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { memorySql } from "../../../scripts/conformance-auth/memory-sql";
import { STEP_UP_FLOWS_PER_SERVER, STEP_UP_TOOLS_MAX } from "../../../src/user/oauth/oauth-flow-store";
import { OAuthStore } from "../../../src/user/oauth/oauth-store";
import { StepUps, stepUpWanted } from "../../../src/user/oauth/step-up";

const URL_A = "https://a.example/mcp";
const ORIGIN = "https://gateway.example";
let seq = 0;

function addStepUp(store: OAuthStore, server: string, wanted: string, extra: { created_at?: number } = {}): string {
  const id = `f${++seq}`;
  const now = extra.created_at ?? Date.now() + seq;
  store.addFlow({
    id,
    server,
    server_url: URL_A,
    origin: ORIGIN,
    state: `${id}.secret`,
    verifier: "sealed",
    discovery: "{}",
    location: "https://as.example/authorize",
    redirect_uri: `${ORIGIN}/connections/callback`,
    resource: null,
    scope: wanted,
    created_at: now,
    expires_at: now + 15 * 60_000,
    step_up: 1,
    wanted,
  });
  return id;
}

test("the scope set of a step-up is the granted scopes and the challenged ones, each once, sorted", () => {
  assert.equal(stepUpWanted("mcp", "mcp admin"), "admin mcp");
  assert.equal(stepUpWanted("write mcp", "admin"), "admin mcp write");
  assert.equal(stepUpWanted(null, "admin  admin"), "admin");
  assert.equal(stepUpWanted("mcp", undefined), "");
});

test("a pending step-up is found again for the same server, URL, origin and scope set only", () => {
  const store = new OAuthStore(memorySql());
  const id = addStepUp(store, "s", "admin mcp");
  const until = Date.now() + 60_000;
  assert.equal(store.pendingStepUp("s", URL_A, ORIGIN, "admin mcp", until), id);
  assert.equal(store.pendingStepUp("s", URL_A, ORIGIN, "mcp write", until), undefined);
  assert.equal(store.pendingStepUp("s", URL_A, "https://other.example", "admin mcp", until), undefined);
  assert.equal(store.pendingStepUp("s", "https://b.example/mcp", ORIGIN, "admin mcp", until), undefined);
  assert.equal(store.pendingStepUp("t", URL_A, ORIGIN, "admin mcp", until), undefined);
  assert.equal(store.pendingStepUp("s", URL_A, ORIGIN, "admin mcp", Date.now() + 16 * 60_000), undefined, "too old");
  assert.equal(store.useFlow(id), true);
  assert.equal(store.pendingStepUp("s", URL_A, ORIGIN, "admin mcp", until), undefined, "a used flow is not reused");
});

test("one server keeps at most STEP_UP_FLOWS_PER_SERVER pending step-ups, dropping its oldest, never another server's", () => {
  const store = new OAuthStore(memorySql());
  const other = addStepUp(store, "other", "admin mcp");
  const ids = Array.from({ length: STEP_UP_FLOWS_PER_SERVER + 3 }, (_, i) => addStepUp(store, "noisy", `mcp s${i}`));
  const kept = store.stepUpFlows("noisy", URL_A).map((f) => f.id);
  assert.deepEqual(kept, ids.slice(-STEP_UP_FLOWS_PER_SERVER));
  assert.equal(store.flow(ids[0]!), undefined);
  assert.ok(store.flow(other), "another server's step-up stays");
});

test("a step-up names each tool once, and at most STEP_UP_TOOLS_MAX of them", () => {
  const store = new OAuthStore(memorySql());
  const id = addStepUp(store, "s", "admin mcp");
  assert.equal(store.noteStepUpTool(id, "admin_report"), true);
  assert.equal(store.noteStepUpTool(id, "admin_report"), false);
  for (let i = 1; i < STEP_UP_TOOLS_MAX; i++) store.noteStepUpTool(id, `t${i}`);
  assert.equal(store.noteStepUpTool(id, "one_too_many"), false);
  assert.equal(JSON.parse(store.flow(id)?.tools ?? "[]").length, STEP_UP_TOOLS_MAX);
});

test("list_servers' step-ups leave out one granted since and one that would narrow the grant", () => {
  const store = new OAuthStore(memorySql());
  store.saveGrant("s", URL_A, { status: "connected", scopes: "mcp admin", tokens: "sealed" });
  addStepUp(store, "s", "admin mcp"); // granted since: nothing missing
  addStepUp(store, "s", "mcp write"); // asked before admin was granted: its sign-in would drop admin
  const current = addStepUp(store, "s", "admin mcp write");
  store.noteStepUpTool(current, "echo");
  const views = new StepUps(store).views(store.grant("s")!);
  assert.deepEqual(views, [
    { tools: ["echo"], scope: "write", authorization_url: `${ORIGIN}/connections/authorize?flow=${current}` },
  ]);
});

test("a store made before step-ups were kept gains their columns, and a grant a step-up marked waiting is connected again", () => {
  const sql = memorySql();
  sql.exec(`CREATE TABLE oauth_flows (
    id TEXT PRIMARY KEY, server TEXT NOT NULL, server_url TEXT NOT NULL, origin TEXT NOT NULL, state TEXT NOT NULL,
    verifier TEXT NOT NULL, discovery TEXT NOT NULL, location TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    resource TEXT, scope TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used INTEGER NOT NULL,
    step_up INTEGER NOT NULL DEFAULT 0)`);
  sql.exec(`CREATE TABLE oauth_grants (
    server TEXT PRIMARY KEY, server_url TEXT NOT NULL, status TEXT NOT NULL, message TEXT, issuer TEXT,
    redirect_uri TEXT, resource TEXT, scopes TEXT, expires_at INTEGER, tokens TEXT, discovery TEXT,
    obtained_at INTEGER, updated_at INTEGER NOT NULL)`);
  sql.exec(
    `INSERT INTO oauth_grants (server, server_url, status, message, scopes, tokens, updated_at)
     VALUES ('s', ?, 'authorization_required', 'it asks for more permission (scope "admin"): sign in again', 'mcp', 'sealed', 0),
            ('t', ?, 'authorization_required', NULL, NULL, NULL, 0)`,
    URL_A,
    URL_A,
  );
  const store = new OAuthStore(sql);
  assert.equal(store.grant("s")?.status, "connected");
  assert.equal(store.grant("s")?.message, null);
  assert.equal(store.grant("t")?.status, "authorization_required", "a grant still waiting for its first sign-in");
  const id = addStepUp(store, "s", "admin mcp");
  assert.equal(store.flow(id)?.wanted, "admin mcp");
  store.saveGrant("s", URL_A, { authorized_at: 42 });
  assert.equal(store.grant("s")?.authorized_at, 42);
});

test("list_servers' step-ups of a grant with tens of thousands of scopes are read in linear time", () => {
  // The scopes are the authorization server's (a token response of up to 256 KB), and a step-up's scope set holds
  // them all: comparing the two lists each against the other took seconds of the user object's time per read.
  const store = new OAuthStore(memorySql());
  const scopes = Array.from({ length: 40_000 }, (_, i) => `s${i.toString(36)}`);
  store.saveGrant("s", URL_A, { status: "connected", scopes: scopes.join(" "), tokens: "sealed" });
  const id = addStepUp(store, "s", stepUpWanted(scopes.join(" "), "admin"));
  const started = performance.now();
  const views = new StepUps(store).views(store.grant("s")!);
  const ms = performance.now() - started;
  assert.deepEqual(views, [
    { tools: [], scope: "admin", authorization_url: `${ORIGIN}/connections/authorize?flow=${id}` },
  ]);
  assert.ok(ms < 1_000, `views took ${Math.round(ms)} ms`);
});
