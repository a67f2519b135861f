/**
 * @module planning/search-rerank
 * `rerank = true` under `models`: search_tools asks the filter model to reorder its hits. The model's picks come
 * first in its order, the other hits follow in search order, so a rerank never loses a hit; an answer that cannot
 * be parsed, or a model that fails, leaves the search ranking as it was. Off by default: it costs one model call
 * per search, and its effect on ranking quality depends on the model (`npm run eval:search -- --rerank-url …`
 * measures it on an endpoint you provide; it was not measured here).
 */
import type { CatalogTool } from "../registry/registry-types";
import type { TaskModels } from "./model-client";
import { pickedNumbers } from "./parse-answer";
import { candidateLine, FILTER_BATCH, filterMessages } from "./tool-finder";

/** Most hits shown to the model; the rest keep their search order after them. */
export const MAX_RERANKED = FILTER_BATCH * 2;
const SEARCH_PLAN = "(search: rank the tools for this query)";

/**
 * The new order of `lines` (0-based indexes: the model's picks, then the rest in their order), or undefined when
 * the answer cannot be parsed. Lines are numbered candidates ("1. …"); only the first {@link MAX_RERANKED} are shown.
 */
export async function rerankOrder(
  models: TaskModels,
  query: string,
  lines: readonly string[],
  signal?: AbortSignal,
): Promise<number[] | undefined> {
  const shown = lines.slice(0, MAX_RERANKED);
  const answer = await models.chat("filter", filterMessages(query, SEARCH_PLAN, shown), signal);
  const picked = pickedNumbers(answer.text, shown.length);
  if (!picked) return undefined;
  const first = picked.map((n) => n - 1);
  const chosen = new Set(first);
  return [...first, ...lines.map((_, i) => i).filter((i) => !chosen.has(i))];
}

/** search_tools hits reordered by the filter model; the search order when the model fails or answers nonsense. */
export async function rerankHits(models: TaskModels, query: string, hits: CatalogTool[]): Promise<CatalogTool[]> {
  if (hits.length < 2) return hits;
  try {
    const order = await rerankOrder(
      models,
      query,
      hits.map((t, i) => candidateLine(i + 1, t)),
    );
    return order ? order.map((i) => hits[i]!) : hits;
  } catch (err) {
    console.warn(`search rerank failed, search ranking kept: ${(err as Error).message}`);
    return hits;
  }
}
