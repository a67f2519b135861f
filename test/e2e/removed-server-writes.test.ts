/**
 * remove_server deletes the user's catalog object of the server (src/registry/catalog-object.ts), and what was still
 * in flight for the server then is not stored again: a listing that answers after the removal, and the result shape
 * of a tool call that returns after it. The upstream is the fault-injecting MCP server
 * (test/support/faulty-upstream.mjs) in mode `delay`, so the listing or call is held while the server is removed
 * from another session of the same user; what the gateway stored is read from workerd's files. A late write the
 * gateway does not wait for is waited for by what must follow it (never a fixed sleep a slower write would outlast).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { storedObjects, storedRows, tablesWithRows } from "../support/stored-objects";
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
  // The shape is written after the result, without waiting. A session writes one tool's shapes one at a time, and
  // a result that comes while a write is in flight goes with it: so once a later result's shape of the same tool
  // is stored, under the server added again, the late write has been answered, however long it took.
  await upstream.set({ mode: "ok", scope: "call" });
  const again = await lister.data("add_server", { name: "called", url: `${upstream.url}?as=called` });
  assert.equal(again.status, "connected", JSON.stringify(again));
  const shapes = await until("a later result's shape of called.echo stored", async () => {
    const probe = await run(
      lister,
      'import { echo } from "servers/called";\nconst args: any = { probe: 1 };\nreturn await echo(args);',
    );
    assert.equal(probe.ok, true, probe.text);
    const rows = storedRows(gateway.persistDir, object, "observed");
    return rows.length > 0 ? rows : undefined;
  });
  assert.deepEqual(
    shapes.map((row) => row.name),
    ["echo"],
  );
  const shape = String(shapes[0]!.shape);
  assert.match(shape, /"probe"/);
  assert.doesNotMatch(shape, /"text"/, "the late result's shape was not stored");
});
