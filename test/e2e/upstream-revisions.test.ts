/**
 * The registry's upstream client negotiates the MCP revision per upstream: 2026-07-28 with an upstream that offers
 * it (an SDK v2 server), 2025-11-25 with one that does not (a v1 SDK server) and with the built-in workspace, reached
 * in-process.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const MODERN = fileURLToPath(new URL("../support/modern-upstream.mjs", import.meta.url));
const LEGACY = fileURLToPath(new URL("../support/slow-upstream.mjs", import.meta.url));

/** Both upstreams and the built-in workspace, reached over loopback. */
const gatewayConfig = () => ({
  network: { allow_loopback: true },
  servers: [
    { name: "modern", url: upstream.url },
    { name: "legacy", url: legacy.url },
    { name: "workspace", url: "builtin:workspace" },
  ],
});

let upstream: Upstream;
let legacy: Upstream;
let gateway: Gateway;
let session: Session;
before(async () => {
  [upstream, legacy] = await Promise.all([startNodeUpstream(MODERN, []), startNodeUpstream(LEGACY, [])]);
  gateway = await startGateway({
    keepState: true,
    config: gatewayConfig(),
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  if (gateway) rmSync(gateway.persistDir, { recursive: true, force: true });
  await Promise.all([upstream?.stop(), legacy?.stop()]);
});

test("an upstream that offers 2026-07-28 is spoken to in it, one that does not in 2025-11-25", async () => {
  const { servers } = await session.data("list_servers");
  const byName = new Map(servers.map((s: any) => [s.name, s]));
  assert.equal((byName.get("modern") as any).protocol, "2026-07-28", JSON.stringify(servers));
  // The built-in workspace is reached in-process (src/registry/builtin-connection.ts), with no HTTP to carry the
  // 2026-07-28 envelope.
  assert.equal((byName.get("workspace") as any).transport, "in-process", JSON.stringify(servers));
  assert.equal((byName.get("legacy") as any).protocol, "2025-11-25", JSON.stringify(servers));
});

test("code calls a tool of a 2026-07-28 upstream", async () => {
  const r = await run(session, 'import { add } from "servers/modern";\nreturn await add({ a: 2, b: 3 });');
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result, 5);
});

test("after a gateway restart, a new session lists every server's transport and protocol before using any", async () => {
  await session.data("list_servers");
  await session.close();
  await gateway.dispose();
  gateway = await startGateway({
    keepState: true,
    persistDir: gateway.persistDir,
    config: gatewayConfig(),
  });
  session = await connect(gateway.mcpUrl);
  const { servers } = await session.data("list_servers");
  const shown = Object.fromEntries(servers.map((s: any) => [s.name, `${s.transport} ${s.protocol}`]));
  assert.deepEqual(shown, {
    modern: "streamable-http 2026-07-28",
    legacy: "streamable-http 2025-11-25",
    workspace: "in-process 2025-11-25",
  });
});
