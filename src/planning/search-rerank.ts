/**
 * @module planning/search-rerank
 * `rerank = true` under `models`: search_tools asks the filter model to reorder its hits. The model's picks come
 * first in its order, the other hits follow in search order, so a rerank never loses a hit; an answer that cannot
 * be parsed, or a model that fails, leaves the search ranking as it was. Off by default: it costs one model call
 * per search, and its effect on ranking quality depends on the model (not measured here).
 */
import type { CatalogTool } from "../registry/registry-types";
import type { TaskModels } from "./model-client";
import { pickedNumbers } from "./parse-answer";
import { FILTER_BATCH, filterPrompt } from "./tool-finder";

/** Most hits shown to the model; the rest keep their search order after them. */
const MAX_RERANKED = FILTER_BATCH * 2;

export async function rerankHits(models: TaskModels, query: string, hits: CatalogTool[]): Promise<CatalogTool[]> {
  if (hits.length < 2) return hits;
  const shown = hits.slice(0, MAX_RERANKED);
  try {
    const answer = await models.chat("filter", filterPrompt(query, "(search: rank the tools for this query)", shown));
    const picked = pickedNumbers(answer.text, shown.length);
    if (!picked) return hits;
    const first = picked.map((n) => shown[n - 1]!);
    const chosen = new Set(first);
    return [...first, ...hits.filter((t) => !chosen.has(t))];
  } catch (err) {
    console.warn(`search rerank failed, search ranking kept: ${(err as Error).message}`);
    return hits;
  }
}
