/**
 * @module mcp/gateway-module-search
 * search_tools' hits in the gateway's own module (`state`, `progress`; src/codegen/gateway-module.ts). Ranked in their
 * own two-document index, as skills are (scores of two corpora are not comparable), and listed apart from the
 * upstream tools, so they never push a tool out of the results. A hit must cover most of the query's words: with two
 * documents every word is "rare", and the strength rule that lets a long request through to a tool would show `state`
 * for any query that says "save" or "result".
 */
import { GATEWAY_MODULE, type GatewayExport, gatewayImport } from "../codegen/gateway-module";
import { buildSearchIndex } from "../search/index";
import type { SearchIndex } from "../search/search-types";

/** A gateway export as search_tools lists it. */
export interface GatewayModuleHit {
  kind: "gateway";
  name: string;
  module: "gateway";
  import: string;
  declaration: string;
}

let index: SearchIndex | undefined;

function gatewayIndex(): SearchIndex {
  index ??= buildSearchIndex(
    GATEWAY_MODULE.map((e) => ({
      key: e.name,
      kind: "tool",
      server: "gateway",
      name: e.name,
      description: e.about,
      tags: [...e.keywords],
    })),
    // Coverage alone decides (see the module's comment).
    { minStrength: Number.POSITIVE_INFINITY },
  );
  return index;
}

const byName = new Map<string, GatewayExport>(GATEWAY_MODULE.map((e) => [e.name, e]));

/** The gateway exports a query asks for, best first (usually none). */
export function searchGatewayModule(query: string, limit = 1): GatewayModuleHit[] {
  return gatewayIndex()
    .search(query, { limit })
    .hits.map((h) => byName.get(h.key)!)
    .map((e) => ({
      kind: "gateway" as const,
      name: e.name,
      module: "gateway" as const,
      import: gatewayImport(e.name),
      declaration: e.declaration,
    }));
}
