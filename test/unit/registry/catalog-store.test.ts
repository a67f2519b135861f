import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashTools } from "../../../src/registry/catalog-build";
import { MemoryCatalogStore } from "../../../src/registry/catalog-store";

const key = { server: "s", url: "http://example.test/mcp", scope: "scope-a" };
const v1 = () => hashTools([{ name: "echo", description: "one", inputSchema: { type: "object" } }]);
const v2 = () => hashTools([{ name: "echo", description: "two", inputSchema: { type: "object" } }]);

describe("MemoryCatalogStore", () => {
  it("returns nothing for a listing never written", async () => {
    assert.equal(await new MemoryCatalogStore().read(key), undefined);
  });

  it("keeps the version when the same listing is written again", async () => {
    const store = new MemoryCatalogStore();
    const a = await store.write(key, await v1());
    const b = await store.write(key, await v1());
    assert.equal(b.version, a.version);
  });

  it("bumps the version when a definition changes", async () => {
    const store = new MemoryCatalogStore();
    const a = await store.write(key, await v1());
    const b = await store.write(key, await v2());
    assert.equal(b.version, a.version + 1);
  });

  it("leaves the tools out of a read by a holder of the current version", async () => {
    const store = new MemoryCatalogStore();
    const { version } = await store.write(key, await v1());
    const read = await store.read(key, version);
    assert.equal(read?.version, version);
    assert.equal(read?.tools, undefined);
  });

  it("keeps the first-seen hash across later definitions and credential scopes", async () => {
    const store = new MemoryCatalogStore();
    const first = await v1();
    await store.write(key, first);
    const later = await store.write({ ...key, scope: "scope-b" }, await v2());
    assert.equal(new Map(later.firstSeen).get("echo"), first[0]!.hash);
  });

  it("keeps first-seen hashes apart for different upstreams", async () => {
    const store = new MemoryCatalogStore();
    await store.write(key, await v1());
    const other = await store.write({ ...key, url: "http://other.test/mcp" }, await v2());
    assert.equal(new Map(other.firstSeen).get("echo"), (await v2())[0]!.hash);
  });
});
