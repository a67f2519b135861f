/**
 * @module mcp/catalog-search
 * Finding tools in the current catalog: ranked search, the fast name listing, and "server.tool" lookup. The search
 * index is built once per catalog object (the registry hands out the same object until something changes), so
 * repeated searches cost only the query.
 */
import { envValue } from "../config";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import {
  buildSearchIndex,
  calibrateMinScore,
  EmbeddingSearch,
  type EmbedFunction,
  hybridSearch,
  OFF_TOPIC_PROBES,
  toSearchDoc,
} from "../search/index";
import type { SearchDoc, SearchIndex, SearchResult } from "../search/search-types";

interface IndexedCatalog {
  index: SearchIndex;
  byKey: Map<string, CatalogTool>;
  docs: SearchDoc[];
}

const indexes = new WeakMap<Catalog, IndexedCatalog>();

/**
 * Indexes by what they were built from: each server's name, description and tool list (by identity). Held weakly,
 * so an index lives while some session's catalog uses it; dead references are swept when the map grows.
 */
const sharedIndexes = new Map<string, WeakRef<IndexedCatalog>>();
const MAX_SHARED_INDEXES = 256;
const listIds = new WeakMap<readonly CatalogTool[], number>();
let nextListId = 0;

function sharedKey(catalog: Catalog): string {
  return catalog.servers
    .map((s) => {
      let id = listIds.get(s.tools);
      if (id === undefined) {
        id = nextListId++;
        listIds.set(s.tools, id);
      }
      return JSON.stringify([s.name, s.description, id]);
    })
    .join("\n");
}

function shareIndex(key: string, hit: IndexedCatalog): void {
  if (sharedIndexes.size >= MAX_SHARED_INDEXES) {
    for (const [k, ref] of sharedIndexes) if (!ref.deref()) sharedIndexes.delete(k);
    if (sharedIndexes.size >= MAX_SHARED_INDEXES) sharedIndexes.delete(sharedIndexes.keys().next().value!);
  }
  sharedIndexes.set(key, new WeakRef(hit));
}

const keyOf = (t: CatalogTool) => `${t.server}/${t.name}`;

function indexFor(catalog: Catalog): IndexedCatalog {
  let hit = indexes.get(catalog);
  if (hit) return hit;
  const key = sharedKey(catalog);
  hit = sharedIndexes.get(key)?.deref();
  if (hit) {
    indexes.set(catalog, hit);
    return hit;
  }
  const byKey = new Map<string, CatalogTool>();
  const docs: SearchDoc[] = catalog.servers.flatMap((s) =>
    s.tools.map((t) => {
      byKey.set(keyOf(t), t);
      return toSearchDoc({
        key: keyOf(t),
        server: s.name,
        serverDescription: s.description,
        name: t.name,
        description: t.description,
        inputSchema: t.inputSchema,
      });
    }),
  );
  hit = { index: buildSearchIndex(docs), byKey, docs };
  indexes.set(catalog, hit);
  shareIndex(key, hit);
  return hit;
}

export interface CatalogSearchOptions {
  limit: number;
  /** Configured server name. */
  server?: string;
  /** Include `defer_loading` tools (default true for search). */
  includeDeferred?: boolean;
}

/**
 * Tools ranked for a query, best first (empty when nothing really matches). With `semantic`, the hybrid search
 * fuses the lexical and embedding rankings and judges abstention on meaning (`search/hybrid.ts`). A failing
 * embedding service costs the semantic half only: the lexical ranking, with its own abstention, is used instead.
 */
export async function searchCatalog(
  catalog: Catalog,
  query: string,
  options: CatalogSearchOptions,
  semantic?: SemanticSearch,
): Promise<CatalogTool[]> {
  const { index, byKey } = indexFor(catalog);
  const includeDeferred = options.includeDeferred ?? true;
  const keep = (key: string) => {
    const t = byKey.get(key);
    return !!t && (options.server === undefined || t.server === options.server) && (includeDeferred || !t.deferred);
  };
  let result: SearchResult | undefined;
  if (semantic) {
    try {
      const embedded = await semanticIndexFor(catalog, semantic);
      result = await hybridSearch(index, embedded.search, query, {
        limit: options.limit,
        filter: keep,
        minScore: embedded.minScore,
      });
    } catch (err) {
      console.warn(`semantic tool search failed, lexical ranking only: ${(err as Error).message}`);
    }
  }
  result ??= index.search(query, { limit: options.limit, filter: keep });
  return result.hits.map((h) => byKey.get(h.key)!).filter(Boolean);
}

/**
 * Embedding ranking settings: the embed function (Workers AI), the model name that keys cached vectors, and the
 * similarity floor (calibrated per catalog with off-topic probe questions when not set).
 */
export interface SemanticSearch {
  embed: EmbedFunction;
  model: string;
  minScore?: number | undefined;
}

interface SemanticIndex {
  search: EmbeddingSearch;
  minScore: number;
}

/** Vectors by model, tool key and definition hash: a catalog refresh embeds only new or changed tools. */
const vectors = new Map<string, number[]>();
const MAX_CACHED_VECTORS = 50_000;
const semanticIndexes = new WeakMap<Catalog, Map<string, Promise<SemanticIndex>>>();
/** Off-topic probe vectors by model: the same for every catalog, so a refresh recalibrates without embedding them. */
const probeVectors = new Map<string, Promise<number[][]>>();

function semanticIndexFor(catalog: Catalog, semantic: SemanticSearch): Promise<SemanticIndex> {
  const byModel = semanticIndexes.get(catalog) ?? new Map<string, Promise<SemanticIndex>>();
  semanticIndexes.set(catalog, byModel);
  const key = `${semantic.model}\n${semantic.minScore ?? "calibrated"}`;
  return cachedPromise(byModel, key, () => buildSemanticIndex(catalog, semantic));
}

async function buildSemanticIndex(catalog: Catalog, semantic: SemanticSearch): Promise<SemanticIndex> {
  const { docs, byKey } = indexFor(catalog);
  const cacheKey = (doc: SearchDoc) => `${semantic.model}\n${doc.key}\n${byKey.get(doc.key)?.hash}`;
  const search = new EmbeddingSearch(semantic.embed);
  const cached = docs.filter((d) => vectors.has(cacheKey(d)));
  search.add(cached.map((d) => ({ key: d.key, vector: vectors.get(cacheKey(d))! })));
  const missing = docs.filter((d) => !vectors.has(cacheKey(d)));
  const stored = await search.addDocs(missing);
  if (vectors.size + stored.length > MAX_CACHED_VECTORS) vectors.clear();
  stored.forEach((v, i) => {
    vectors.set(cacheKey(missing[i]!), v.vector);
  });
  return { search, minScore: await floorFor(search, semantic) };
}

/** The configured similarity floor, or one calibrated on this catalog with the off-topic probes. */
function floorFor(search: EmbeddingSearch, semantic: SemanticSearch): Promise<number> {
  if (semantic.minScore !== undefined) return Promise.resolve(semantic.minScore);
  const probes = () => cachedPromise(probeVectors, semantic.model, () => search.embedTexts([...OFF_TOPIC_PROBES]));
  return calibrateMinScore(search, probes);
}

/**
 * `map[key]`, or the promise `make` starts, kept under `key`. A failed promise is forgotten, so the next call tries
 * again.
 */
function cachedPromise<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let pending = map.get(key);
  if (!pending) {
    pending = make();
    map.set(key, pending);
    pending.catch(() => map.delete(key));
  }
  return pending;
}

interface WorkersAiBinding {
  run(model: string, input: { text: string[] }): Promise<{ data?: number[][] }>;
}

/**
 * The semantic search configured by `embeddings` (a Workers AI binding named in the config), or undefined when it
 * is not configured or the binding is missing (then search is lexical only, with a warning in the log).
 */
export function semanticSearchFrom(
  env: Record<string, unknown>,
  settings: { binding: string; model: string; min_score?: number | undefined } | undefined,
): SemanticSearch | undefined {
  if (!settings) return undefined;
  const ai = envValue(env, settings.binding) as WorkersAiBinding | undefined;
  if (typeof ai?.run !== "function") {
    console.warn(`embeddings: no Workers AI binding named ${settings.binding}; tool search stays lexical`);
    return undefined;
  }
  return {
    model: settings.model,
    minScore: settings.min_score,
    embed: async (texts) => {
      const out = await ai.run(settings.model, { text: texts });
      if (!Array.isArray(out?.data)) throw new Error(`${settings.model} returned no embeddings`);
      return out.data;
    },
  };
}

export interface ToolNameListing {
  tools: CatalogTool[];
  /** Tools that match, before `limit`. */
  total: number;
  /** Matching tools left out because they are deferred and `includeDeferred` was false. */
  deferredHidden: number;
}

/** Catalog-order listing filtered by server and keywords (any keyword, case-insensitive, in name or description). */
export function listToolNames(
  catalog: Catalog,
  options: { server?: string | undefined; keywords?: string[] | undefined; limit: number; includeDeferred: boolean },
): ToolNameListing {
  const words = (options.keywords ?? []).map((k) => k.toLowerCase()).filter(Boolean);
  const tools: CatalogTool[] = [];
  let total = 0;
  let deferredHidden = 0;
  for (const s of catalog.servers) {
    if (options.server !== undefined && s.name !== options.server) continue;
    for (const t of s.tools) {
      if (words.length) {
        const text = `${t.name}\n${t.id}\n${t.description}`.toLowerCase();
        if (!words.some((w) => text.includes(w))) continue;
      }
      if (t.deferred && !options.includeDeferred) {
        deferredHidden++;
        continue;
      }
      total++;
      if (tools.length < options.limit) tools.push(t);
    }
  }
  return { tools, total, deferredHidden };
}

/** A tool by server (configured name or module id) and tool (export id or upstream name). */
export function findTool(catalog: Catalog, server: string, tool: string): CatalogTool | undefined {
  const entry = catalog.byName.get(server) ?? catalog.byServerId.get(server);
  return entry?.byId.get(tool) ?? entry?.byUpstreamName.get(tool);
}

/**
 * A tool named "server.tool" where the server name may itself hold dots ("poison.a"): only the configured names and
 * module ids the name starts with are tried as the split (shortest first), so the work is bounded by the number of
 * servers, never by the dots in the name.
 */
export function findDottedTool(catalog: Catalog, full: string): CatalogTool | undefined {
  const splits = new Set<number>();
  for (const s of catalog.servers) {
    for (const prefix of [s.name, s.serverId]) {
      if (full.length > prefix.length && full.charCodeAt(prefix.length) === 46 && full.startsWith(prefix)) {
        splits.add(prefix.length);
      }
    }
  }
  for (const at of [...splits].sort((a, b) => a - b)) {
    const tool = findTool(catalog, full.slice(0, at), full.slice(at + 1));
    if (tool) return tool;
  }
  return undefined;
}
