/**
 * @module bench/scenarios/session-memory-workerd
 * Scenario 9, in workerd: the gateway with a 10,000-tool upstream, its V8 heap read over the inspector protocol
 * (HeapProfiler.collectGarbage, then Runtime.getHeapUsage; local workerd runs every object of the Worker in one
 * isolate). A first session lists the upstream, searches and imports from it; then each new session does the same
 * and stays open, and the heap growth per session is everything its session object holds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_startWorker } from "wrangler";
import { quietLocalTraces } from "../../scripts/local-traces.mjs";
import { freePort, startNodeUpstream } from "../../test/support/upstreams";
import { using } from "../lib/cleanup";
import { type BenchClient, connectClient, execute } from "../lib/mcp-client";

const UPSTREAM = fileURLToPath(new URL("../synthetic-upstream.mjs", import.meta.url));

/** Inspector requests in order over a fresh WebSocket (the inspector proxy serves one client at a time). */
async function inspect(port: number, methods: string[]): Promise<any[]> {
  // Node's WebSocket (undici) takes headers as a second argument; the inspector proxy requires a local Origin.
  const ws: WebSocket = new (WebSocket as any)(`ws://127.0.0.1:${port}/`, { headers: { origin: "http://127.0.0.1" } });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.addEventListener("message", (event) => {
    const msg = JSON.parse(String((event as { data: unknown }).data));
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(msg.error.message));
    else waiter.resolve(msg.result);
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", () => reject(new Error("inspector connection failed")));
  });
  const results: any[] = [];
  try {
    for (const [i, method] of methods.entries()) {
      const reply = new Promise((resolve, reject) => pending.set(i + 1, { resolve, reject }));
      ws.send(JSON.stringify({ id: i + 1, method }));
      results.push(
        await Promise.race([
          reply,
          new Promise((_, reject) => setTimeout(() => reject(new Error(`inspector ${method} timed out`)), 60_000)),
        ]),
      );
    }
  } finally {
    ws.close();
  }
  return results;
}

async function heapMb(port: number): Promise<number> {
  const [, , usage] = await inspect(port, [
    "HeapProfiler.collectGarbage",
    "HeapProfiler.collectGarbage",
    "Runtime.getHeapUsage",
  ]);
  return usage.usedSize / 2 ** 20;
}

/** What a user does first in a session with a large catalog: search it, then run code importing from it. */
async function useCatalog(client: BenchClient): Promise<void> {
  const found = await client.call("search_tools", { query: "send a slack message", server: "synthetic" });
  const name = (found.structuredContent as any)?.tools?.[0]?.name;
  if (typeof name !== "string")
    throw new Error(`session-memory: search found nothing: ${JSON.stringify(found).slice(0, 300)}`);
  const r = await execute(client, `import { ${name} } from "servers/synthetic"; return typeof ${name};`);
  if (r.isError || r.result !== "function")
    throw new Error(`session-memory: import failed: ${JSON.stringify(r).slice(0, 300)}`);
}

/** A Worker isolate's memory limit, MB. */
const ISOLATE_MB = 128;

/** Sessions an isolate holds: the first (with the heap it started from), then as many further ones as fit. */
export function sessionsFit(heapWithFirstMb: number, perSessionMb: number): number {
  return 1 + Math.floor((ISOLATE_MB - heapWithFirstMb) / perSessionMb);
}

async function measure(configPath: string, url: string, sessions: number) {
  const port = await freePort();
  quietLocalTraces();
  const persist = mkdtempSync(join(tmpdir(), "cg-bench-mem-"));
  const worker = await unstable_startWorker({
    config: configPath,
    bindings: {
      GATEWAY_CONFIG: {
        type: "json",
        value: {
          network: { allow_loopback: true },
          servers: [{ name: "synthetic", url, description: "Synthetic SaaS catalog" }],
        },
      },
    } as never,
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: { hostname: "127.0.0.1", port },
      persist,
      watch: false,
      logLevel: "warn",
    } as never,
  });
  const clients: BenchClient[] = [];
  try {
    await worker.ready;
    const mcp = new URL("/mcp", await worker.url);
    const first = await connectClient(mcp);
    clients.push(first);
    const empty = await heapMb(port);
    await useCatalog(first);
    const base = await heapMb(port);
    for (let i = 0; i < sessions; i++) {
      const c = await connectClient(mcp);
      clients.push(c);
      await useCatalog(c);
    }
    const after = await heapMb(port);
    const r = (v: number) => Number(v.toFixed(2));
    const perSession = (after - base) / sessions;
    return {
      sessions,
      heap_before_catalog_mb: r(empty),
      first_session_catalog_mb: r(base - empty),
      per_further_session_mb: r(perSession),
      heap_after_mb: r(after),
      sessions_fit_in_128mb: sessionsFit(base, perSession),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await worker.dispose();
    rmSync(persist, { recursive: true, force: true });
  }
}

/** The workerd figures for ours and, with BENCH_BASELINE, for that checkout's gateway. */
export async function sessionMemoryWorkerd(quick: boolean, log: (msg: string) => void) {
  const tools = quick ? 1000 : 10_000;
  const sessions = quick ? 2 : 6;
  return using(
    `synthetic upstream (${tools} tools, workerd memory)`,
    () => startNodeUpstream(UPSTREAM, [String(tools)]),
    async (upstream) => {
      const ours = await measure("wrangler.toml", upstream.url, sessions);
      log(
        `  workerd: first session +${ours.first_session_catalog_mb} MB, each further +${ours.per_further_session_mb} MB`,
      );
      const dir = process.env.BENCH_BASELINE;
      const baseline = dir ? await measure(join(dir, "wrangler.toml"), upstream.url, sessions) : undefined;
      if (baseline) log(`  workerd baseline: each further +${baseline.per_further_session_mb} MB`);
      return { tools, ...ours, ...(baseline ? { baseline } : {}) };
    },
  );
}
