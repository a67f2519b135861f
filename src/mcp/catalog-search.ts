/**
 * @module mcp/catalog-search
 * Tool search over the current catalog. The index is built once per catalog object (catalogs are immutable
 * snapshots), so repeated searches cost only the query.
 */
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import { buildSearchIndex, toSearchDoc } from "../search/index";
import type { SearchIndex } from "../search/search-types";

const indexes = new WeakMap<Catalog, { index: SearchIndex; byKey: Map<string, CatalogTool> }>();

function indexFor(catalog: Catalog) {
  let hit = indexes.get(catalog);
  if (!hit) {
    const byKey = new Map<string, CatalogTool>();
    const docs = catalog.servers.flatMap((s) =>
      s.tools.map((t) => {
        const key = `${s.name}/${t.name}`;
        byKey.set(key, t);
        return toSearchDoc({
          key,
          server: s.name,
          serverDescription: s.description,
          name: t.name,
          description: t.description,
          inputSchema: t.inputSchema,
        });
      }),
    );
    hit = { index: buildSearchIndex(docs), byKey };
    indexes.set(catalog, hit);
  }
  return hit;
}

export function searchCatalog(
  catalog: Catalog,
  query: string,
  options: { limit: number; server?: string },
): CatalogTool[] {
  const { index, byKey } = indexFor(catalog);
  const prefix = options.server ? `${options.server}/` : undefined;
  const result = index.search(query, {
    limit: options.limit,
    ...(prefix ? { filter: (key: string) => key.startsWith(prefix) } : {}),
  });
  return result.hits.map((h) => byKey.get(h.key)!).filter(Boolean);
}
