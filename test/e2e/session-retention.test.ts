/**
 * An MCP session's storage does not outlive `limits.session_idle_retention_ms` without a request
 * (src/session/session-retention.ts): clients rarely end their sessions, and each keeps its state and carried
 * variables. Here the retention is 5 s: an idle session is gone after it (404, so the client starts a new one), a
 * session in use stays, and an execution running past it finishes. 2026-07-28 contexts: context-retention.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { rawRequest } from "../support/raw-http";
import { storedObjects } from "../support/stored-objects";

const RETENTION_MS = 5_000;
/** Past the retention and its 10% slack, with room for the alarm to run. */
const PAST_RETENTION_MS = 8_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let gateway: Gateway;
before(async () => {
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace" }],
      limits: { session_idle_retention_ms: RETENTION_MS },
    },
  });
});
after(async () => {
  await gateway?.dispose();
});

/** A tools/list on `sessionId` as the client would send it: the HTTP status tells whether the session exists. */
async function probe(sessionId: string): Promise<number> {
  const res = await rawRequest(gateway.mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });
  return res.status;
}

async function openWithState(): Promise<Session> {
  const s = await connect(gateway.mcpUrl);
  const set = await run(
    s,
    'import { state } from "gateway";\nawait state.set("k", "v");\nconst kept = 1;\nreturn "set";',
  );
  assert.equal(set.ok, true, set.text);
  return s;
}

test("an idle session's storage is deleted after the retention: its id then answers 404", async () => {
  const stored = storedObjects(gateway.persistDir, "SessionObject");
  const s = await openWithState();
  const id = s.transport.sessionId!;
  assert.equal(await probe(id), 200);
  await s.client.close(); // as clients do: no DELETE
  await sleep(PAST_RETENTION_MS);
  assert.equal(await probe(id), 404);
  // Nothing is left of its object, and asking for it again does not store it again.
  assert.deepEqual(storedObjects(gateway.persistDir, "SessionObject"), stored);
});

test("a session in use stays, with its state", async () => {
  const s = await openWithState();
  try {
    const until = Date.now() + PAST_RETENTION_MS;
    while (Date.now() < until) {
      assert.equal(await probe(s.transport.sessionId!), 200);
      await sleep(1_000);
    }
    const got = await run(s, 'import { state } from "gateway";\nreturn [await state.get("k"), kept];');
    assert.deepEqual(got.result, ["v", 1]);
  } finally {
    await s.close();
  }
});

test("an execution running past the retention finishes, and its session stays", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const r = await run(s, `await new Promise((r) => setTimeout(r, ${PAST_RETENTION_MS}));\nreturn "done";`, {
      timeout_ms: 20_000,
    });
    assert.equal(r.result, "done", r.text);
    assert.equal(await probe(s.transport.sessionId!), 200);
  } finally {
    await s.close();
  }
});
