/**
 * @module bench/lib/workers
 * Starts the two Workers the bench needs with wrangler's `unstable_startWorker` (workerd with real bindings, on
 * 127.0.0.1, a fresh state folder each): the gateway exactly as `wrangler dev` runs it, and the bench Worker.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";
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

/** Durable Object classes and Worker Loader bindings of a wrangler.toml, read with two regular expressions. */
function bindingsOf(path: string): string[] {
  const text = readFileSync(path, "utf8").replace(/^\s*#.*$/gm, "");
  const classes = [...text.matchAll(/^class_name\s*=\s*"([^"]+)"/gm)].map((m) => `durable object ${m[1]}`);
  const loaders = [...text.matchAll(/binding\s*=\s*"([^"]+)"/g)].map((m) => `binding ${m[1]}`);
  return [...classes, ...loaders];
}

/** The bench Worker must carry every binding of the gateway, or its numbers describe another Worker. */
function checkBenchConfig(): void {
  const bench = new Set(bindingsOf("bench/wrangler.bench.toml"));
  const missing = bindingsOf("wrangler.toml").filter((b) => !bench.has(b));
  if (missing.length > 0) {
    throw new Error(
      `bench/wrangler.bench.toml lacks ${missing.join(", ")} from wrangler.toml: copy them (and export the classes from bench/bench-worker.ts)`,
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
