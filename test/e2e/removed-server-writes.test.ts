/**
 * remove_server deletes the user's catalog object of the server (src/registry/catalog-object.ts), and what was still
 * in flight for the server then is not stored again: a listing that answers after the removal, and the result shape
 * of a tool call that returns after it. The upstream is the fault-injecting MCP server
 * (test/support/faulty-upstream.mjs) in mode `delay`, so the listing or call is held while the server is removed
 * from another session of the same user; what the gateway stored is read from workerd's files.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { storedObjects, tablesWithRows } from "../support/stored-objects";
import { until } from "../support/until";

/** How long the upstream holds the request under test: the removal happens meanwhile. */
const DELAY_MS = 2_000;

let gateway: Gateway;
let upstream: FaultyUpstream;
let lister: Session;
let remover: Session;

before(async () => {
  upstream = await startFaulty({ "delay-ms": DELAY_MS });
  gateway = await startGateway({ config: { network: { allow_loopback: true } } });
  [lister, remover] = await Promise.all([connect(gateway.mcpUrl), connect(gateway.mcpUrl)]);
  // The gateway's own servers are listed and stored first, so the objects a test sees appear are the user's.
  await lister.data("list_servers", {});
});
after(async () => {
  await Promise.all([lister?.close(), remover?.close()]);
  await gateway?.dispose();
  await upstream?.stop();
});

/** Adds `name` in the listing session and returns the catalog object its listing was stored in. */
async function addServer(name: string): Promise<string> {
  await upstream.set({ mode: "ok", scope: "call" });
  const before = storedObjects(gateway.persistDir, "CatalogObject");
  const added = await lister.data("add_server", { name, url: `${upstream.url}?as=${name}` });
  assert.equal(added.status, "connected", JSON.stringify(added));
  const objects = storedObjects(gateway.persistDir, "CatalogObject").filter((o) => !before.includes(o));
  assert.equal(objects.length, 1, "the user's listing of the server has its own object");
  return objects[0]!;
}

/** What `object` holds besides the removal's record of when the server was added (workerd's KV table). */
function storedBesidesRemoval(object: string): string[] {
  return tablesWithRows(gateway.persistDir, object).filter((table) => table !== "_cf_KV");
}

/** Waits until the upstream holds a request of `method`. */
function held(method: string): Promise<true> {
  return until(`a ${method} request held by the upstream`, async () =>
    ((await upstream.state()).counts[method] ?? 0) > 0 ? true : undefined,
  );
}

test("a listing that answers after its server was removed does not store the server again", async () => {
  const object = await addServer("relisted");
  await upstream.set({ mode: "delay", scope: "list" });
  const listing = lister.data("list_servers", { refresh: true });
  await held("tools/list");
  assert.deepEqual(await remover.data("remove_server", { name: "relisted" }), { removed: "relisted" });
  const { servers } = await listing;
  // The listing itself worked: it was only not stored.
  assert.equal(servers.find((s: { name: string }) => s.name === "relisted")?.status, "ok", JSON.stringify(servers));
  assert.deepEqual(storedBesidesRemoval(object), []);
});

test("a tool result that returns after its server was removed does not store its shape", async () => {
  const object = await addServer("called");
  await upstream.set({ mode: "delay", scope: "call" });
  const call = run(lister, 'import { echo } from "servers/called";\nreturn await echo({ text: "late" });');
  await held("tools/call");
  assert.deepEqual(await remover.data("remove_server", { name: "called" }), { removed: "called" });
  const r = await call;
  assert.deepEqual(r.result?.args, { text: "late" }, r.text);
  // The shape is written after the result, without waiting: give it the time it takes.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.deepEqual(storedBesidesRemoval(object), []);
});
