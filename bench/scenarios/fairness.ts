/**
 * @module bench/scenarios/fairness
 * Scenario 7b: one heavy user and many light ones on one gateway (API keys, default limits). Each light user runs
 * short executions one after another; their latency is measured alone, then again while the heavy user keeps
 * every execution slot it may have busy from several sessions (retrying when refused, as a client would). The
 * target (issue #17): the light users' p95 with the heavy user stays within 2x of their p95 alone.
 */
import { randomBytes } from "node:crypto";
import { type BenchClient, connectClient, execute } from "../lib/mcp-client";
import { median, p95, round } from "../lib/stats";
import { startGatewayWorker } from "../lib/workers";

const LIGHT_PROGRAM =
  'import { read_file, write_file } from "servers/workspace";\n' +
  'await write_file({ path: "/light.txt", content: "ok" });\nreturn await read_file({ path: "/light.txt" });';

/** 50 sequential workspace calls and a bounded compute loop: busy on the host and in the isolate. */
const HEAVY_PROGRAM =
  'import { read_file, write_file } from "servers/workspace";\n' +
  'await write_file({ path: "/heavy.txt", content: "x" });\nlet n = 0;\n' +
  'for (let i = 0; i < 50; i++) n += (await read_file({ path: "/heavy.txt" })).length;\n' +
  "let x = 0;\nfor (let i = 0; i < 200000; i++) x = (x + i) % 1000003;\nreturn n;";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LightRound {
  /** Latency at the client. */
  ms: number[];
  /** The execution's own duration_ms (from the session taking it: waiting for a turn, type check, run). */
  server: number[];
  /** Its type check (ms). */
  check: number[];
  errors: number;
}

async function lightRound(clients: BenchClient[], runs: number): Promise<LightRound> {
  const ms: number[] = [];
  const server: number[] = [];
  const check: number[] = [];
  let errors = 0;
  await Promise.all(
    clients.map(async (client) => {
      for (let r = 0; r < runs; r++) {
        const started = performance.now();
        const run = await execute(client, LIGHT_PROGRAM);
        ms.push(performance.now() - started);
        if (typeof run.duration_ms === "number") server.push(run.duration_ms);
        if (typeof run.typecheck?.ms === "number") check.push(run.typecheck.ms);
        if (run.isError || run.result !== "ok") errors++;
      }
    }),
  );
  return { ms, server, check, errors };
}

export async function fairness(quick: boolean) {
  const lightUsers = quick ? 3 : 10;
  const lightRuns = quick ? 5 : 20;
  const heavySessions = quick ? 2 : 4;
  /** Per heavy session: the default max_concurrent_executions (8) at once. */
  const heavyPerSession = 8;
  const keys = new Map<string, string>();
  for (const user of ["heavy", ...Array.from({ length: lightUsers }, (_, i) => `light${i}`)]) {
    keys.set(user, randomBytes(24).toString("base64url"));
  }
  const gateway = await startGatewayWorker(
    { servers: [{ name: "workspace", url: "builtin:workspace" }], auth: { mode: "api_keys" } },
    { API_KEYS: [...keys].map(([user, key]) => `${user}:${key}`).join(" ") },
  );
  const mcpUrl = new URL("/mcp", gateway.url);
  const open = (user: string) => connectClient(mcpUrl, { Authorization: `Bearer ${keys.get(user)}` });
  const clients: BenchClient[] = [];
  try {
    const light = await Promise.all(Array.from({ length: lightUsers }, (_, i) => open(`light${i}`)));
    clients.push(...light);
    await lightRound(light, 1);
    const alone = await lightRound(light, lightRuns);

    const heavy = await Promise.all(Array.from({ length: heavySessions }, () => open("heavy")));
    clients.push(...heavy);
    let stop = false;
    let heavyDone = 0;
    let heavyRefused = 0;
    const loops = heavy.flatMap((client) =>
      Array.from({ length: heavyPerSession }, async () => {
        while (!stop) {
          const run = await execute(client, HEAVY_PROGRAM).catch(() => ({ isError: true }));
          if (run.isError) {
            heavyRefused++;
            await sleep(100);
          } else heavyDone++;
        }
      }),
    );
    // Let the heavy user fill its slots before the light users start.
    await sleep(quick ? 1_000 : 3_000);
    const loaded = await lightRound(light, lightRuns);
    stop = true;
    await Promise.all(loops);

    const aloneP95 = p95(alone.ms);
    const loadedP95 = p95(loaded.ms);
    return {
      light_users: lightUsers,
      light_runs_each: lightRuns,
      light_program: "write_file then read_file (2 workspace calls)",
      heavy: {
        sessions: heavySessions,
        concurrent_per_session: heavyPerSession,
        program: "write_file, 50 sequential read_file, a 200,000-step loop",
        executions_done: heavyDone,
        refused_or_failed: heavyRefused,
      },
      light_alone_p50_ms: round(median(alone.ms)),
      light_alone_p95_ms: round(aloneP95),
      light_with_heavy_p50_ms: round(median(loaded.ms)),
      light_with_heavy_p95_ms: round(loadedP95),
      p95_ratio: round(loadedP95 / aloneP95),
      // Where a light execution's time goes: the session's own duration_ms (turn in the run gate, type check, run)
      // and its type check; the rest of the client latency is HTTP, MCP, rate limit and execution slots.
      light_alone_duration_p50_ms: round(median(alone.server)),
      light_with_heavy_duration_p50_ms: round(median(loaded.server)),
      light_alone_typecheck_p50_ms: alone.check.length ? round(median(alone.check)) : null,
      light_with_heavy_typecheck_p50_ms: loaded.check.length ? round(median(loaded.check)) : null,
      failures: alone.errors + loaded.errors,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await gateway.dispose();
  }
}
