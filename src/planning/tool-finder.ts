/**
 * @module planning/tool-finder
 * Finding the tools a task needs: the gateway's own search ranks the catalog, then the filter model keeps what the
 * task needs from numbered batches of candidates, the batches asked in parallel. A batch whose answer cannot be
 * parsed keeps its candidates in search order, so a weak filter model costs precision, never the task.
 */
import { toolSignature } from "../codegen/declarations";
import { searchCatalog, type SemanticSearch } from "../mcp/catalog-search";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import type { ChatAnswer, ChatMessage, TaskModels } from "./model-client";
import { fillPrompt, pickedNumbers } from "./parse-answer";
import { FILTER_PROMPT } from "./prompts/filter";

/** Candidates the search hands to the filter model. */
export const MAX_CANDIDATES = 30;
/** Candidates in one filter prompt. */
export const FILTER_BATCH = 10;
/** Tools whose declarations go into the main prompt. */
export const MAX_CHOSEN = 8;
const MAX_DESCRIPTION = 300;

export interface FoundTools {
  candidates: CatalogTool[];
  chosen: CatalogTool[];
  /** Per batch: how many candidates, how many kept, and whether the answer fell back to the search ranking. */
  batches: Array<{ candidates: number; kept: number; fallback: boolean }>;
  answers: ChatAnswer[];
}

/** Search candidates for the task, limited to `servers` (configured names) when given. */
export async function searchCandidates(
  catalog: Catalog,
  query: string,
  servers: readonly string[] | undefined,
  semantic: SemanticSearch | undefined,
): Promise<CatalogTool[]> {
  const q = query.slice(0, 1_000);
  if (!servers?.length) return searchCatalog(catalog, q, { limit: MAX_CANDIDATES }, semantic);
  const per = Math.max(3, Math.ceil(MAX_CANDIDATES / servers.length));
  const lists = await Promise.all(servers.map((server) => searchCatalog(catalog, q, { limit: per, server }, semantic)));
  // Interleaved, so every chosen server keeps its best tools within the cap.
  const out: CatalogTool[] = [];
  for (let i = 0; out.length < MAX_CANDIDATES && lists.some((l) => i < l.length); i++) {
    for (const l of lists) if (i < l.length && out.length < MAX_CANDIDATES) out.push(l[i]!);
  }
  return out;
}

/** A candidate as the filter model sees it: number, module, signature and a short description. */
export function candidateLine(n: number, t: CatalogTool): string {
  const d = t.description.length > MAX_DESCRIPTION ? `${t.description.slice(0, MAX_DESCRIPTION - 1)}…` : t.description;
  return `${n}. servers/${t.serverId} ${toolSignature(t)}\n   ${d.replace(/\s+/g, " ")}`;
}

/** The filter model's messages for one numbered batch of candidates. */
export function filterPrompt(task: string, plan: string, batch: readonly CatalogTool[]): ChatMessage[] {
  return filterMessages(
    task,
    plan,
    batch.map((t, i) => candidateLine(i + 1, t)),
  );
}

/** The filter model's messages for numbered candidate lines ("1. …"). */
export function filterMessages(task: string, plan: string, lines: readonly string[]): ChatMessage[] {
  const candidates = lines.join("\n");
  return [
    { role: "system", content: FILTER_PROMPT.system },
    { role: "user", content: fillPrompt(FILTER_PROMPT.user, { task, plan, candidates }) },
  ];
}

/** Keeps the candidates the filter model picks, batch by batch in parallel; see the module comment for fallbacks. */
export async function filterCandidates(
  models: TaskModels,
  task: string,
  plan: string,
  candidates: readonly CatalogTool[],
  signal: AbortSignal,
  limit = MAX_CHOSEN,
): Promise<FoundTools> {
  const batches: CatalogTool[][] = [];
  for (let i = 0; i < candidates.length; i += FILTER_BATCH) batches.push(candidates.slice(i, i + FILTER_BATCH));
  const answers: ChatAnswer[] = [];
  const picked = await Promise.all(
    batches.map(async (batch) => {
      const answer = await models.chat("filter", filterPrompt(task, plan, batch), signal);
      answers.push(answer);
      const numbers = pickedNumbers(answer.text, batch.length);
      return numbers ? { tools: numbers.map((n) => batch[n - 1]!), fallback: false } : { tools: batch, fallback: true };
    }),
  );
  // Batch order is search order, so a model's picks from an earlier batch stay ahead of later ones.
  const chosen = picked.flatMap((p) => p.tools).slice(0, limit);
  return {
    candidates: [...candidates],
    chosen,
    batches: picked.map((p, i) => ({ candidates: batches[i]!.length, kept: p.tools.length, fallback: p.fallback })),
    answers,
  };
}
