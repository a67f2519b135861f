/**
 * What the registry keeps across a gateway restart (same durable state folder): the cached catalog, so the new
 * gateway does not list the upstream again, and the first-seen hash of every tool, so a definition changed while
 * the gateway was down is still reported as changed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, type StartOptions, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));

let upstream: Upstream;
let persistDir: string;
let options: StartOptions;

async function control(path: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(path, upstream.url), {
    method: body ? "POST" : "GET",
    ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  return res.json();
}

/** Starts a gateway on the shared state folder, runs `fn` with one session, and stops it. */
async function withGateway<T>(fn: (s: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> {
  const gateway: Gateway = await startGateway(options);
  const session = await connect(gateway.mcpUrl);
  try {
    return await fn(session);
  } finally {
    await session.close();
    await gateway.dispose();
  }
}

const changingEntry = async (s: Awaited<ReturnType<typeof connect>>, args = {}) =>
  (await s.data("list_servers", args)).servers.find((x: any) => x.name === "changing");

before(async () => {
  upstream = await startNodeUpstream(CHANGING, []);
  persistDir = mkdtempSync(join(tmpdir(), "cg-registry-restart-"));
  options = {
    persistDir,
    config: {
      network: { allow_loopback: true },
      catalog_ttl_ms: 600_000,
      servers: [{ name: "changing", url: upstream.url }],
    },
  };
  await withGateway(async (s) => assert.equal((await changingEntry(s)).status, "ok"));
});
after(async () => {
  await upstream?.stop();
  if (persistDir) rmSync(persistDir, { recursive: true, force: true });
});

test("after a restart the cached catalog is served without listing the upstream again", async () => {
  const listed = (await control("/control/stats")).list_calls;
  await withGateway(async (s) => assert.equal((await changingEntry(s)).tool_count, 2));
  assert.equal((await control("/control/stats")).list_calls, listed);
});

test("a definition changed while the gateway was down is reported as changed after a restart", async () => {
  await control("/control/change", { action: "change_echo", notify: false });
  await withGateway(async (s) => {
    const entry = await changingEntry(s, { refresh: true });
    assert.deepEqual(entry.changed_tools, ["echo"]);
    const { tools } = await s.data("get_tool_details", { tools: ["changing.echo"] });
    assert.equal(tools[0].changed_since_first_seen, true);
  });
});
