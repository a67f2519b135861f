/**
 * Ids the gateway never issued leave nothing behind: a signed-in client that sends a random `Mcp-Session-Id`
 * (2025-11-25) or a random context id (2026-07-28) gets 404, and no Durable Object storage is written for it, so
 * guessing ids cannot fill the gateway's storage (read from workerd's files: test/support/stored-objects.ts).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, startGateway } from "../support/gateway";
import { connectModern } from "../support/modern-client";
import { storedObjects } from "../support/stored-objects";

const KEY = randomBytes(24).toString("base64url");
const AUTH = { Authorization: `Bearer ${KEY}` };
const CONFIG = { servers: [{ name: "workspace", url: "builtin:workspace" }], auth: { mode: "api_keys" } };

let gateway: Gateway;
before(async () => {
  gateway = await startGateway({ config: CONFIG, vars: { API_KEYS: `alice:${KEY}` } });
});
after(async () => {
  await gateway?.dispose();
});

/** A 2025-11-25 request on `sessionId`, as a client sends it after initialize. */
function onSession(sessionId: string, method: "POST" | "GET" | "DELETE"): Promise<Response> {
  return fetch(gateway.mcpUrl, {
    method,
    headers: {
      ...AUTH,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-11-25",
    },
    ...(method === "POST" ? { body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) } : {}),
  });
}

/** An id shaped like the ones the gateway mints (43 base64url characters). */
const randomSessionId = () => randomBytes(32).toString("base64url");
const randomContextId = () =>
  `ctx_${Array.from(randomBytes(20), (b) => "abcdefghijklmnopqrstuvwxyz234567"[b & 31]).join("")}`;

test("random session ids get 404 and write no storage", async () => {
  const before = storedObjects(gateway.persistDir);
  for (let i = 0; i < 5; i++) {
    for (const method of ["POST", "GET", "DELETE"] as const) {
      const res = await onSession(randomSessionId(), method);
      assert.equal(res.status, 404, `${method}: ${await res.text()}`);
    }
  }
  assert.deepEqual(storedObjects(gateway.persistDir), before);
});

test("random 2026-07-28 context ids are refused and write no storage", async () => {
  const m = await connectModern(gateway.mcpUrl, {}, AUTH);
  try {
    // The default context exists from the client's first request on; only the guessed ones must not.
    await m.client.listTools();
    const before = storedObjects(gateway.persistDir);
    for (let i = 0; i < 5; i++) {
      await assert.rejects(m.call("execute_code", { code: "return 1", context: randomContextId() }), /unknown context/);
    }
    assert.deepEqual(storedObjects(gateway.persistDir), before);
  } finally {
    await m.close();
  }
});

test("a real session is stored, works, and answers 404 after DELETE without being stored again", async () => {
  const before = storedObjects(gateway.persistDir);
  const s = await connect(gateway.mcpUrl, {}, { requestInit: { headers: AUTH } });
  const id = s.transport.sessionId!;
  const r = await run(s, 'import { state } from "gateway";\nawait state.set("k", 1);\nreturn 2;');
  assert.equal(r.result, 2, r.text);
  // The check sees writes: the session's object is now stored.
  assert.ok(storedObjects(gateway.persistDir).length > before.length);
  await s.transport.terminateSession();
  await s.client.close();
  const stored = storedObjects(gateway.persistDir);
  for (const method of ["POST", "GET", "DELETE"] as const) {
    const res = await onSession(id, method);
    assert.equal(res.status, 404, `${method}: ${await res.text()}`);
  }
  assert.deepEqual(storedObjects(gateway.persistDir), stored);
});
