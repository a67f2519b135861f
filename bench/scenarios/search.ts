/**
 * @module bench/scenarios/search
 * Scenario 6: the gateway's tool search (src/search, the same pure code the Worker runs) over synthetic catalogs
 * of 1,000 and 10,000 tools: index build time and per-query latency, plus a sanity hit rate (the tool each
 * generated query was written for is in the top 5).
 */
import { buildSearchIndex, toSearchDoc } from "../../src/search/index";
import { median, p95, round } from "../lib/stats";
import { syntheticQueries, syntheticTools } from "../synthetic-catalog.mjs";

function ms(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function measure(n: number, builds: number, queryCount: number) {
  const tools = syntheticTools(n);
  const docs = tools.map((t) =>
    toSearchDoc({
      key: `synthetic/${t.name}`,
      server: "synthetic",
      serverDescription: "Synthetic SaaS catalog",
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
    }),
  );
  const buildMs: number[] = [];
  let index = buildSearchIndex(docs);
  for (let b = 0; b < builds; b++) {
    const started = process.hrtime.bigint();
    index = buildSearchIndex(docs);
    buildMs.push(ms(started));
  }
  const queries = syntheticQueries(tools, queryCount);
  for (const q of queries.slice(0, 20)) index.search(q.query);
  const queryMs: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const started = process.hrtime.bigint();
    const result = index.search(q.query, { limit: 5 });
    queryMs.push(ms(started));
    if (result.hits.some((h) => h.key === `synthetic/${q.expect}`)) hits++;
  }
  return {
    tools: n,
    index_ms: round(median(buildMs)),
    index_p95_ms: round(p95(buildMs)),
    p50_ms: round(median(queryMs)),
    p95_ms: round(p95(queryMs)),
    queries: queries.length,
    hit_at_5: round(hits / queries.length),
  };
}

export function searchLatency(quick: boolean) {
  const sizes = [1000, 10000].map((n) => measure(n, quick ? 2 : 7, quick ? 100 : 500));
  const at10k = sizes.find((s) => s.tools === 10000)!;
  return {
    runtime: `Node ${process.version} (src/search is pure; the Worker runs the same code on V8)`,
    tools: 10000,
    p50_ms: at10k.p50_ms,
    p95_ms: at10k.p95_ms,
    index_ms: at10k.index_ms,
    sizes,
  };
}
