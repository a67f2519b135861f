/**
 * @module bench/memory/session-memory-harness
 * Run by bench/scenarios/session-memory.ts in its own Node process (`--expose-gc`): builds what a session object
 * holds for a large upstream with the gateway's own code (the Registry with a real connection to the synthetic
 * upstream, the search index, the binding module source, the import check's export lists) for several sessions
 * at once, and prints the V8 heap each stage costs as JSON. V8 is the engine workerd runs, so the sizes carry over.
 *
 * The catalog store hands every session its own parsed copy of the listing, as a Durable Object RPC would; it keeps
 * the listing as JSON text (in production it lives in the CatalogObject, not in the session's isolate).
 */
import { serverModuleDeclaration } from "../../src/codegen/declarations";
import { loadConfig } from "../../src/config";
import { searchCatalog } from "../../src/mcp/catalog-search";
import { hashTools } from "../../src/registry/catalog-build";
import { Registry } from "../../src/registry/registry";
import { displayUrl } from "../../src/registry/server-entry";
import { UpstreamConnection } from "../../src/registry/upstream";
import { serverExports, serverModuleSource } from "../../src/sandbox/sandbox-modules";

const [url, sessionsArg] = process.argv.slice(2);
const SESSIONS = Number(sessionsArg ?? 8);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !url)
  throw new Error("usage: node --expose-gc --import tsx session-memory-harness.ts <upstream url> [sessions]");

/** Heap in use after full collections, measured in a later task: WeakRef targets read in this one stay alive. */
async function heapMb(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** The CatalogStore contract over JSON text, so each read is a fresh copy like an RPC result. */
function serializingStore() {
  const listings = new Map<string, { version: number; fetchedAt: number; json: string; digest: string }>();
  const id = (key: { server: string; url: string; scope: string }) => `${key.server}\n${key.url}\n${key.scope}`;
  return {
    async read(key: any, knownVersion?: number) {
      const hit = listings.get(id(key));
      if (!hit) return undefined;
      if (hit.version === knownVersion) return { version: hit.version, fetchedAt: hit.fetchedAt };
      const tools = JSON.parse(hit.json);
      return {
        version: hit.version,
        fetchedAt: hit.fetchedAt,
        tools,
        firstSeen: tools.map((t: any) => [t.tool.name, t.hash]),
      };
    },
    async write(key: any, tools: any[]) {
      const json = JSON.stringify(tools);
      const prev = listings.get(id(key));
      const version = prev && prev.json === json ? prev.version : (prev?.version ?? 0) + 1;
      listings.set(id(key), { version, fetchedAt: Date.now(), json, digest: "" });
      return { version, fetchedAt: Date.now(), firstSeen: tools.map((t: any) => [t.tool.name, t.hash]) };
    },
    async writeHandshake() {},
  };
}

const loaded = loadConfig({ servers: [{ name: "synthetic", url, description: "Synthetic SaaS catalog" }] });
if (!loaded.ok) throw new Error(loaded.error);
const config = loaded.config;
const store = serializingStore();
const newRegistry = () =>
  new Registry(
    config.servers,
    (server) =>
      new UpstreamConnection(server, { env: {}, url: new URL(server.url), fetch: (i, init) => fetch(i, init) }),
    { store: store as never, ttlMs: 3_600_000 },
  );

// The store is filled from a real listing (as the session that listed first would have), outside any session.
{
  const server = config.servers[0]!;
  const lister = new UpstreamConnection(server, {
    env: {},
    url: new URL(server.url),
    fetch: (i, init) => fetch(i, init),
  });
  const key = { server: server.name, url: displayUrl(server.url), scope: await lister.cacheScope() };
  await store.write(key, await hashTools(await lister.listTools()));
  await lister.close();
}
const base = await heapMb();

interface Held {
  registry: Registry;
  catalog: Awaited<ReturnType<Registry["catalog"]>>;
  keep: unknown[];
}
const held: Held[] = [];
const stages = { catalog: [] as number[], search_index: [] as number[], binding_source: [] as number[] };
let tools = 0;
let declarationChars = 0;
for (let i = 0; i < SESSIONS; i++) {
  const before = await heapMb();
  const registry = newRegistry();
  const catalog = await registry.catalog();
  tools = catalog.tools.length;
  const s: Held = { registry, catalog, keep: [] };
  held.push(s);
  const afterCatalog = await heapMb();
  s.keep.push(await searchCatalog(catalog, "send a slack message", { limit: 5 }));
  const afterSearch = await heapMb();
  const entry = catalog.servers[0]!;
  s.keep.push(serverModuleSource(entry), serverExports(catalog));
  const afterSource = await heapMb();
  stages.catalog.push(afterCatalog - before);
  stages.search_index.push(afterSearch - afterCatalog);
  stages.binding_source.push(afterSource - afterSearch);
  if (i === 0) declarationChars = serverModuleDeclaration(entry.serverId, entry.tools).length;
}
const total = (await heapMb()) - base;
const r = (v: number) => Number(v.toFixed(2));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const later = (xs: number[]) => sum(xs.slice(1)) / Math.max(1, xs.length - 1);
console.log(
  JSON.stringify({
    tools,
    sessions: SESSIONS,
    heap_total_mb: r(total),
    first_session_mb: r(stages.catalog[0]! + stages.search_index[0]! + stages.binding_source[0]!),
    first_session_by_part_mb: {
      catalog: r(stages.catalog[0]!),
      search_index: r(stages.search_index[0]!),
      binding_source: r(stages.binding_source[0]!),
    },
    next_session_mb: r(later(stages.catalog) + later(stages.search_index) + later(stages.binding_source)),
    next_session_by_part_mb: {
      catalog: r(later(stages.catalog)),
      search_index: r(later(stages.search_index)),
      binding_source: r(later(stages.binding_source)),
    },
    declarations_mb_transient: r(declarationChars / 2 ** 20),
  }),
);
await Promise.all(held.map((s) => s.registry.close()));
