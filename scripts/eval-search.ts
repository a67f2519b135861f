/**
 * Evaluates the tool search on a benchmark (format: shared/bench-data/README.md) and prints one JSON line:
 *   {"queries","tools","recall_at_1","recall_at_5","recall_at_10","hit_at_1","hit_at_5","hit_at_10","mrr",
 *    "abstain_rate","p50_ms","p95_ms","index_ms"}
 * Metrics follow bm25_eval.py exactly: a relevant item without "server" matches that tool name in any server and
 * counts once; retrieval metrics average over queries with >= 1 relevant item (null if none); abstain_rate is over
 * queries with "relevant": [] (null if none). Latencies are per-query search times, index_ms the build time.
 *
 * Usage: npm run eval:search -- --catalog <catalog.json> --queries <queries.jsonl>
 *          [--limit 10] [--config '<RankerConfigOverride JSON>'] [--per-query <out.jsonl>]
 *          [--embeddings use-lite [--min-score X]]
 * --config overrides ranker constants for experiments; --per-query writes each query's ranked (server, tool) list.
 * --embeddings runs the hybrid search (src/search/hybrid.ts, as the gateway does with Workers AI) with a local
 * model in place of Workers AI; the line then also has "embeddings", "min_score" (the floor used: calibrated with
 * the off-topic probes unless --min-score is given) and "embed_ms" (embedding time per query; p50/p95 stay the
 * search time after embedding, as in the gateway where the embedding is a separate service call).
 * --rerank-url <base_url> --rerank-model <name> reorders each query's hits with that OpenAI-compatible model, as
 * search_tools does with `models.rerank = true` (src/planning/search-rerank.ts); the key, if the endpoint needs one,
 * comes from the RERANK_API_KEY environment variable (never a flag). p50/p95 then include the model call, and the
 * line also has "rerank_model" and "rerank_fallbacks" (answers that could not be parsed).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import {
  buildSearchIndex,
  calibrateMinScore,
  EmbeddingSearch,
  hybridSearchVector,
  type RankerConfigOverride,
  type SearchDoc,
  type SearchIndex,
  type SearchResult,
  toSearchDoc,
} from "../src/search/index";
import { loadConfig } from "../src/config";
import { taskModelsFrom } from "../src/planning/model-client";
import { rerankOrder } from "../src/planning/search-rerank";
import { LOCAL_EMBEDDERS, type LocalEmbedderName, localEmbedder } from "./local-embedder";

interface Relevant {
  server?: string;
  tool: string;
}
interface Query {
  id: string;
  query: string;
  relevant: Relevant[];
}
interface Args {
  catalog: string;
  queries: string;
  limit: number;
  config?: RankerConfigOverride;
  perQuery?: string;
  embeddings?: LocalEmbedderName;
  minScore?: number;
  rerankUrl?: string;
  rerankModel?: string;
}

const USAGE =
  "usage: eval-search --catalog <catalog.json> --queries <queries.jsonl> [--limit N] [--config JSON] [--per-query OUT]" +
  " [--embeddings use-lite [--min-score X]] [--rerank-url URL --rerank-model NAME]";
const FLAGS = [
  "--catalog",
  "--queries",
  "--limit",
  "--config",
  "--per-query",
  "--embeddings",
  "--min-score",
  "--rerank-url",
  "--rerank-model",
];
const KS = [1, 5, 10] as const;

function fail(message: string): never {
  process.stderr.write(`eval-search: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!FLAGS.includes(flag)) {
      fail(`unknown argument ${JSON.stringify(flag)}`);
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) fail(`${flag} needs a value`);
    values.set(flag, value);
    i++;
  }
  const catalog = values.get("--catalog") ?? fail("missing --catalog");
  const queries = values.get("--queries") ?? fail("missing --queries");
  const limit = Number(values.get("--limit") ?? 10);
  if (!Number.isInteger(limit) || limit < 1) fail("--limit must be a positive integer");
  const args: Args = { catalog, queries, limit };
  const config = values.get("--config");
  if (config !== undefined) {
    try {
      args.config = JSON.parse(config) as RankerConfigOverride;
    } catch (e) {
      fail(`--config is not valid JSON: ${(e as Error).message}`);
    }
  }
  const perQuery = values.get("--per-query");
  if (perQuery !== undefined) args.perQuery = perQuery;
  const embeddings = values.get("--embeddings");
  if (embeddings !== undefined) {
    if (!(LOCAL_EMBEDDERS as readonly string[]).includes(embeddings)) {
      fail(`--embeddings must be one of ${LOCAL_EMBEDDERS.join(", ")}, got ${JSON.stringify(embeddings)}`);
    }
    args.embeddings = embeddings as LocalEmbedderName;
  }
  const minScore = values.get("--min-score");
  if (minScore !== undefined) {
    if (!args.embeddings) fail("--min-score needs --embeddings");
    const value = Number(minScore);
    if (!Number.isFinite(value) || value < -1 || value > 1) fail("--min-score must be a number from -1 to 1");
    args.minScore = value;
  }
  const rerankUrl = values.get("--rerank-url");
  const rerankModel = values.get("--rerank-model");
  if ((rerankUrl === undefined) !== (rerankModel === undefined)) fail("--rerank-url and --rerank-model go together");
  if (rerankUrl !== undefined && rerankModel !== undefined) {
    args.rerankUrl = rerankUrl;
    args.rerankModel = rerankModel;
  }
  return args;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? (e as Error).message);
    return fail(`cannot read ${what} ${path}: ${reason}`);
  }
}

/** Catalog tools as SearchDocs (key = server + "/" + tool) plus the key -> (server, tool) map for scoring. */
function loadCatalog(path: string): { docs: SearchDoc[]; byKey: Map<string, { server: string; tool: string }> } {
  let catalog: unknown;
  try {
    catalog = JSON.parse(readText(path, "catalog"));
  } catch (e) {
    fail(`catalog ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const servers = (catalog as { servers?: unknown })?.servers;
  if (!Array.isArray(servers)) fail(`catalog ${path} has no "servers" array`);
  const docs: SearchDoc[] = [];
  const byKey = new Map<string, { server: string; tool: string }>();
  for (const s of servers as Array<Record<string, unknown>>) {
    if (typeof s?.name !== "string" || !Array.isArray(s.tools)) fail(`catalog ${path}: server without name/tools`);
    const server = s.name as string;
    for (const t of s.tools as Array<Record<string, unknown>>) {
      if (typeof t?.name !== "string") fail(`catalog ${path}: a tool of server ${server} has no name`);
      const tool = t.name as string;
      const key = `${server}/${tool}`;
      byKey.set(key, { server, tool });
      docs.push(
        toSearchDoc({
          key,
          server,
          serverDescription: typeof s.description === "string" ? s.description : undefined,
          name: tool,
          description: typeof t.description === "string" ? t.description : undefined,
          inputSchema: t.inputSchema,
        }),
      );
    }
  }
  return { docs, byKey };
}

function loadQueries(path: string): Query[] {
  const out: Query[] = [];
  readText(path, "queries")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      let q: Query;
      try {
        q = JSON.parse(line) as Query;
      } catch (e) {
        fail(`${path}:${i + 1}: invalid JSON: ${(e as Error).message}`);
      }
      if (typeof q?.id !== "string" || typeof q.query !== "string" || !Array.isArray(q.relevant)) {
        fail(`${path}:${i + 1}: expected {"id", "query", "relevant": [...]}`);
      }
      out.push(q);
    });
  if (out.length === 0) fail(`${path} has no queries`);
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

type Searcher = (q: Query, i: number) => SearchResult | Promise<SearchResult>;

/**
 * `search` with its hits reordered by a model over an OpenAI-compatible endpoint, exactly as search_tools reranks
 * (network guard opened for loopback and private addresses: the endpoint is the user's own choice here).
 */
function rerankingSearcher(
  search: Searcher,
  docs: SearchDoc[],
  args: Args,
  extra: Record<string, number | string | null>,
): Searcher {
  const loaded = loadConfig({
    network: { allow_loopback: true, allow_private: true },
    models: {
      provider: "openai",
      base_url: args.rerankUrl,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, resolved from the environment.
      ...(process.env.RERANK_API_KEY ? { api_key: "${RERANK_API_KEY}" } : {}),
      strategy: args.rerankModel,
      filter: args.rerankModel,
      main: args.rerankModel,
    },
  });
  if (!loaded.ok) fail(loaded.error);
  const models = taskModelsFrom({ RERANK_API_KEY: process.env.RERANK_API_KEY }, loaded.config)!;
  const byKey = new Map(docs.map((d) => [d.key, d]));
  extra.rerank_model = args.rerankModel!;
  extra.rerank_fallbacks = 0;
  return async (q, i) => {
    const result = await search(q, i);
    const lines = result.hits.map((h, n) => {
      const doc = byKey.get(h.key);
      return `${n + 1}. ${doc?.server ?? ""} ${doc?.name ?? h.key}\n   ${(doc?.description ?? "").slice(0, 300)}`;
    });
    const order = result.hits.length > 1 ? await rerankOrder(models, q.query, lines) : undefined;
    if (!order) {
      if (result.hits.length > 1) (extra.rerank_fallbacks as number)++;
      return result;
    }
    return { ...result, hits: order.map((n) => result.hits[n]!) };
  };
}

/** The hybrid search over a local model: documents and queries are embedded up front, then searched. */
async function hybridSearcher(
  index: SearchIndex,
  docs: SearchDoc[],
  queries: Query[],
  args: Args,
  extra: Record<string, number | string | null>,
): Promise<Searcher> {
  const semantic = new EmbeddingSearch(localEmbedder(args.embeddings!));
  await semantic.addDocs(docs);
  const t0 = performance.now();
  const vectors = await semantic.embedTexts(queries.map((q) => q.query));
  const minScore = args.minScore ?? (await calibrateMinScore(semantic));
  extra.embeddings = args.embeddings!;
  extra.min_score = round(minScore, 4);
  extra.embed_ms = round((performance.now() - t0) / queries.length, 2);
  return (q, i) => hybridSearchVector(index, semantic, q.query, vectors[i]!, { limit: args.limit, minScore });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { docs, byKey } = loadCatalog(args.catalog);
  const queries = loadQueries(args.queries);

  const t0 = performance.now();
  const index = buildSearchIndex(docs, args.config);
  const indexMs = performance.now() - t0;
  const extra: Record<string, number | string | null> = {};
  const base: Searcher = args.embeddings
    ? await hybridSearcher(index, docs, queries, args, extra)
    : (q) => index.search(q.query, { limit: args.limit });
  const search = args.rerankUrl ? rerankingSearcher(base, docs, args, extra) : base;

  const metricKeys = [...KS.map((k) => `recall_at_${k}`), ...KS.map((k) => `hit_at_${k}`), "mrr"];
  const sums = Object.fromEntries(metricKeys.map((k) => [k, 0])) as Record<string, number>;
  let withRelevant = 0;
  let irrelevant = 0;
  let abstained = 0;
  const latencies: number[] = [];
  const perQuery: string[] = [];
  for (const [i, q] of queries.entries()) {
    const start = performance.now();
    const result = await search(q, i);
    latencies.push(performance.now() - start);
    const ranked = result.hits.map((h) => byKey.get(h.key)!);
    if (q.relevant.length === 0) {
      irrelevant++;
      if (result.hits.length === 0) abstained++;
      if (args.perQuery) perQuery.push(JSON.stringify({ id: q.id, abstained: result.hits.length === 0, top: ranked }));
      continue;
    }
    withRelevant++;
    // First rank (1-based) at which each relevant item appears; a server-less item matches the name anywhere.
    const firstRank = q.relevant.map((item) => {
      const i = ranked.findIndex(
        (r) => r.tool === item.tool && (item.server === undefined || item.server === r.server),
      );
      return i < 0 ? undefined : i + 1;
    });
    for (const k of KS) {
      const found = firstRank.filter((r) => r !== undefined && r <= k).length;
      sums[`recall_at_${k}`]! += found / q.relevant.length;
      sums[`hit_at_${k}`]! += found > 0 ? 1 : 0;
    }
    const best = Math.min(...firstRank.map((r) => r ?? Number.POSITIVE_INFINITY));
    sums.mrr! += Number.isFinite(best) ? 1 / best : 0;
    if (args.perQuery) {
      perQuery.push(JSON.stringify({ id: q.id, rank: Number.isFinite(best) ? best : null, top: ranked }));
    }
  }

  latencies.sort((a, b) => a - b);
  const out: Record<string, number | string | null> = { queries: queries.length, tools: index.size };
  for (const k of metricKeys) out[k] = withRelevant > 0 ? round(sums[k]! / withRelevant, 4) : null;
  out.abstain_rate = irrelevant > 0 ? round(abstained / irrelevant, 4) : null;
  out.p50_ms = round(percentile(latencies, 50), 3);
  out.p95_ms = round(percentile(latencies, 95), 3);
  out.index_ms = round(indexMs, 1);
  Object.assign(out, extra);
  if (args.perQuery) writeFileSync(args.perQuery, perQuery.map((l) => `${l}\n`).join(""));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`eval-search: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
