import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, startGateway } from "../support/gateway";

let gateway: Gateway;
before(async () => {
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace" }],
      allowed_origins: ["https://allowed.example"],
    },
  });
});
after(async () => {
  await gateway?.dispose();
});

const ACCEPT = "application/json, text/event-stream";
const listTools = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} };

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(gateway.mcpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

describe("MCP sessions over Streamable HTTP", () => {
  test("GET /health answers JSON with the configured servers", async () => {
    const res = await fetch(new URL("/health", gateway.url));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, version: "0.1.0", servers: ["workspace"] });
  });

  test("initialize mints a random visible-ASCII session id", async () => {
    const a = await connect(gateway.mcpUrl);
    const b = await connect(gateway.mcpUrl);
    assert.match(a.transport.sessionId!, /^[\x21-\x7e]{32,}$/);
    assert.notEqual(a.transport.sessionId, b.transport.sessionId);
    await a.close();
    await b.close();
  });

  test("a request without a session id (other than initialize) gets 400", async () => {
    const res = await post(listTools);
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(await res.json()), /Mcp-Session-Id header is required/);
  });

  test("a browser opening /mcp is told what the endpoint is and where the pages are", async () => {
    const res = await fetch(gateway.mcpUrl, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    assert.equal(res.status, 400);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^This is the MCP endpoint of codemode-gateway: connect an MCP client to it/);
    assert.ok(text.includes(`${gateway.url.origin}/dashboard`), text);
    // An MCP client's GET without a session still gets the JSON-RPC error.
    const client = await fetch(gateway.mcpUrl, { headers: { accept: "text/event-stream" } });
    assert.equal(client.status, 400);
    assert.match(JSON.stringify(await client.json()), /Mcp-Session-Id header is required/);
  });

  test("an unknown session id gets 404", async () => {
    const res = await post(listTools, { "mcp-session-id": "x".repeat(43), "mcp-protocol-version": "2025-11-25" });
    assert.equal(res.status, 404);
  });

  test("a terminated session gets 404", async () => {
    const s = await connect(gateway.mcpUrl);
    const id = s.transport.sessionId!;
    await s.transport.terminateSession();
    const res = await post(listTools, { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" });
    assert.equal(res.status, 404);
    await s.client.close();
  });

  test("a foreign Origin gets 403, the gateway's own and configured origins pass", async () => {
    const init = {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
    };
    assert.equal((await post(init, { origin: "https://evil.example" })).status, 403);
    assert.equal((await post(init, { origin: gateway.url.origin })).status, 200);
    assert.equal((await post(init, { origin: "https://allowed.example" })).status, 200);
  });

  test("a session keeps working across many requests", async () => {
    const s = await connect(gateway.mcpUrl);
    for (let i = 0; i < 3; i++) assert.ok((await s.client.listTools()).tools.some((t) => t.name === "execute_code"));
    await s.close();
  });
});
