/**
 * Built catalogs shared by the sessions of an isolate (src/registry/catalog-cache.ts): the gateway's Registry in
 * Node, against a real counting upstream on 127.0.0.1, with the in-memory catalog store.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { loadConfig } from "../../../src/config";
import { searchCatalog } from "../../../src/mcp/catalog-search";
import type { CatalogKey, CatalogStore } from "../../../src/registry/catalog-store";
import { MemoryCatalogStore } from "../../../src/registry/catalog-store";
import { Registry } from "../../../src/registry/registry";
import { UpstreamConnection } from "../../../src/registry/upstream";
import { serverModuleSource } from "../../../src/sandbox/sandbox-modules";
import { startNodeUpstream, type Upstream } from "../../support/upstreams";

const COUNTING = fileURLToPath(new URL("../../support/counting-upstream.mjs", import.meta.url));
let upstream: Upstream;
before(async () => {
  upstream = await startNodeUpstream(COUNTING, ["stateless", "0", "50"]);
});
after(() => upstream?.stop());

/** The memory store, counting the reads that carried a whole listing. */
function countingStore() {
  const inner = new MemoryCatalogStore();
  const stats = { fullReads: 0 };
  const store: CatalogStore = {
    async read(key: CatalogKey, known?: number) {
      const r = await inner.read(key, known);
      if (r?.tools) stats.fullReads++;
      return r;
    },
    write: (key, tools) => inner.write(key, tools),
    writeHandshake: (key, h) => inner.writeHandshake(key, h),
  };
  return { store, stats };
}

function setup(name: string) {
  const loaded = loadConfig({ servers: [{ name, url: upstream.url }], network: { allow_loopback: true } });
  if (!loaded.ok) throw new Error(loaded.error);
  const { store, stats } = countingStore();
  const session = () =>
    new Registry(
      loaded.config.servers,
      (s) => new UpstreamConnection(s, { env: {}, url: new URL(s.url), fetch: (i, init) => fetch(i, init) }),
      { store },
    );
  return { session, stats };
}

test("two sessions of one configuration hold one tool list, one search index and one binding source", async () => {
  const { session } = setup("shared");
  const [a, b] = [session(), session()];
  try {
    const ca = await a.catalog();
    const cb = await b.catalog();
    assert.notEqual(ca, cb, "each session has its own catalog object");
    assert.equal(ca.servers[0]!.tools.length, 51);
    assert.equal(ca.servers[0]!.tools, cb.servers[0]!.tools);
    assert.equal(ca.servers[0]!.byId, cb.servers[0]!.byId);
    assert.equal(serverModuleSource(ca.servers[0]!), serverModuleSource(cb.servers[0]!));
    const [ra, rb] = [await searchCatalog(ca, "echo", { limit: 3 }), await searchCatalog(cb, "echo", { limit: 3 })];
    assert.equal(ra[0], rb[0], "the hits are the same tool objects: one index");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("a session opened while another holds the listing reads the store without the tools", async () => {
  const { session, stats } = setup("held");
  const a = session();
  try {
    await a.catalog();
    const reads = stats.fullReads;
    const b = session();
    await b.catalog();
    await b.close();
    assert.equal(stats.fullReads, reads, "no read carried the listing again");
  } finally {
    await a.close();
  }
});
