/**
 * Upstreams that only speak the older HTTP+SSE transport: the gateway's Streamable HTTP initialize gets a 4xx, and
 * it falls back to SSE (the MCP backwards-compatibility rule), with `@modelcontextprotocol/server-everything` in
 * `sse` mode as the real upstream.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const EVERYTHING = fileURLToPath(
  new URL("../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url),
);

let legacy: Upstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  legacy = await startNodeUpstream(EVERYTHING, ["sse"], "/sse");
  gateway = await startGateway({
    config: { network: { allow_loopback: true }, servers: [{ name: "legacy", url: legacy.url }] },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await legacy?.stop();
});

test("an HTTP+SSE-only upstream is listed over the SSE fallback", async () => {
  const { servers } = await session.data("list_servers");
  assert.equal(servers[0].status, "ok", JSON.stringify(servers[0]));
  assert.equal(servers[0].transport, "sse");
  assert.equal(servers[0].protocol, "2025-11-25", "HTTP+SSE is a 2025-11-25 transport");
  assert.ok(servers[0].tool_count >= 5);
});

test("execute_code calls a tool of an HTTP+SSE-only upstream", async () => {
  const r = await run(session, `import { get_sum } from "servers/legacy"; return await get_sum({ a: 20, b: 22 });`);
  assert.equal(r.ok, true, r.text);
  assert.match(JSON.stringify(r.result), /42/);
});
