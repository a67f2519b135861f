/**
 * @module bench/lib/workers
 * Starts the two Workers the bench needs with wrangler's `unstable_startWorker` (workerd with real bindings, on
 * 127.0.0.1, a fresh state folder each): the gateway exactly as `wrangler dev` runs it, and the bench Worker.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_readConfig, unstable_startWorker } from "wrangler";
import { quietLocalTraces } from "../../scripts/local-traces.mjs";

export interface RunningWorker {
  url: URL;
  dispose(): Promise<void>;
}

async function start(
  configPath: string,
  config: Record<string, unknown>,
  vars: Record<string, string> = {},
): Promise<RunningWorker> {
  // As `npm run dev` runs the gateway: without wrangler's local request traces (scripts/local-traces.mjs).
  quietLocalTraces();
  const persist = mkdtempSync(join(tmpdir(), "cg-bench-"));
  let worker: Awaited<ReturnType<typeof unstable_startWorker>> | undefined;
  try {
    worker = await unstable_startWorker({
      config: configPath,
      bindings: {
        GATEWAY_CONFIG: { type: "json", value: config },
        ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { type: "plain_text", value: v }])),
      } as never,
      dev: {
        server: { hostname: "127.0.0.1", port: 0 },
        inspector: false,
        persist,
        watch: false,
        logLevel: "warn",
      } as never,
    });
    await worker.ready;
    const url = new URL(await worker.url);
    const running = worker;
    return {
      url,
      async dispose() {
        await running.dispose();
        rmSync(persist, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await worker?.dispose().catch(() => {});
    rmSync(persist, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The gateway (wrangler.toml) with this GATEWAY_CONFIG (and plain-text `vars`, e.g. API_KEYS). `configPath` starts
 * another checkout's gateway instead (a baseline measured side by side, e.g. `/tmp/old/wrangler.toml`).
 */
export function startGatewayWorker(
  config: Record<string, unknown>,
  vars: Record<string, string> = {},
  configPath = "wrangler.toml",
): Promise<RunningWorker> {
  return start(configPath, config, vars);
}

/** The bench Worker (bench/wrangler.bench.toml). */
export function startBenchWorker(config: Record<string, unknown>): Promise<RunningWorker> {
  checkBenchConfig();
  return start("bench/wrangler.bench.toml", config);
}

/** The parts of wrangler's resolved configuration the check reads (every other top-level key is looked at too). */
interface RuntimeConfig {
  compatibility_date?: string;
  compatibility_flags: string[];
  durable_objects: { bindings: { class_name: string }[] };
  [key: string]: unknown;
}

/**
 * What of a wrangler configuration the bench Worker must share with the gateway's, read with wrangler's reader:
 * Durable Object classes, every binding (each top-level entry or list entry with a `binding` name: Worker Loaders,
 * assets, KV, services, ...), and the compatibility date and flags.
 */
function runtimeOf(path: string): { bindings: string[]; compatibility: string[] } {
  const config = unstable_readConfig({ config: path }) as RuntimeConfig;
  const bindings = config.durable_objects.bindings.map((b) => `durable object ${b.class_name}`);
  for (const [key, value] of Object.entries(config)) {
    for (const entry of Array.isArray(value) ? value : [value]) {
      const binding =
        entry !== null && typeof entry === "object" ? (entry as { binding?: unknown }).binding : undefined;
      if (typeof binding === "string") bindings.push(`${key} ${binding}`);
    }
  }
  return {
    bindings,
    compatibility: [
      `compatibility_date ${config.compatibility_date}`,
      ...config.compatibility_flags.map((f) => `flag ${f}`),
    ],
  };
}

/**
 * The bench Worker must carry every binding of the gateway and run with its compatibility date and flags, or its
 * numbers describe another Worker.
 */
function checkBenchConfig(): void {
  const bench = runtimeOf("bench/wrangler.bench.toml");
  const gateway = runtimeOf("wrangler.toml");
  const has = new Set([...bench.bindings, ...bench.compatibility]);
  const missing = [...gateway.bindings, ...gateway.compatibility].filter((b) => !has.has(b));
  const extra = bench.compatibility.filter((c) => !gateway.compatibility.includes(c));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `bench/wrangler.bench.toml differs from wrangler.toml: ${[
        ...(missing.length ? [`it lacks ${missing.join(", ")}`] : []),
        ...(extra.length ? [`it adds ${extra.join(", ")}`] : []),
      ].join("; ")}. Make them equal (and export the Durable Object classes from bench/bench-worker.ts)`,
    );
  }
}

/** POSTs one op to the bench Worker; a non-2xx answer is an error with the Worker's message. */
export async function benchOp<T>(worker: RunningWorker, body: Record<string, unknown>): Promise<T> {
  const res = await fetch(new URL("/bench", worker.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(300_000),
  });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`bench op ${JSON.stringify(body)} failed: ${json.error}`);
  return json;
}
