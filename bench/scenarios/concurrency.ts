/**
 * @module bench/scenarios/concurrency
 * Scenario 7: many sessions each running many executions at once against one local gateway. Every execution
 * writes a file with a unique token and reads it back; it counts as correct only if the token comes back, and
 * afterwards the workspace must hold one file per execution ("nothing lost"). Bounded in count and time.
 */
import { randomUUID } from "node:crypto";
import { type BenchClient, connectClient, execute } from "../lib/mcp-client";
import { median, p95, quantile, round, time } from "../lib/stats";
import type { RunningWorker } from "../lib/workers";

const DIR = "/bench/concurrency";

function program(path: string, token: string): string {
  return (
    'import { read_file, write_file } from "servers/workspace";\n' +
    `await write_file({ path: ${JSON.stringify(path)}, content: ${JSON.stringify(token)} });\n` +
    `return await read_file({ path: ${JSON.stringify(path)} });`
  );
}

export async function concurrency(gateway: RunningWorker, quick: boolean) {
  const sessions = quick ? 5 : 50;
  const perSession = quick ? 4 : 20;
  const mcpUrl = new URL("/mcp", gateway.url);
  const clients: BenchClient[] = await Promise.all(Array.from({ length: sessions }, () => connectClient(mcpUrl)));
  const latencies: number[] = [];
  const errors: string[] = [];
  let found = -1;
  let wallMs = 0;
  try {
    const jobs = clients.flatMap((client, s) =>
      Array.from({ length: perSession }, (_, e) => async () => {
        const token = randomUUID();
        try {
          const run = await time(() => execute(client, program(`${DIR}/s${s}-e${e}.txt`, token)));
          latencies.push(run.ms);
          if (run.value.isError || run.value.result !== token) {
            errors.push(String(run.value.error?.message ?? JSON.stringify(run.value.result)).slice(0, 200));
          }
        } catch (err) {
          errors.push(String((err as Error).message).slice(0, 200));
        }
      }),
    );
    const all = await time(() => Promise.all(jobs.map((job) => job())));
    wallMs = all.ms;
    const listed = await execute(
      clients[0]!,
      `import { list_directory } from "servers/workspace";\nreturn (await list_directory({ path: "${DIR}" })).entries.length;`,
    );
    found = typeof listed.result === "number" ? listed.result : -1;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  const executions = sessions * perSession;
  const ok = executions - errors.length;
  return {
    sessions,
    executions_per_session: perSession,
    executions,
    errors: errors.length,
    lost: found < 0 ? executions : executions - found,
    throughput_per_s: round(ok / (wallMs / 1000)),
    // Every execution starts at once, so these are completion times: how spread out (or bunched) the finishes are.
    first_ms: round(Math.min(...latencies)),
    p10_ms: round(quantile(latencies, 0.1)),
    p50_ms: round(median(latencies)),
    p95_ms: round(p95(latencies)),
    wall_ms: round(wallMs),
    program: "write_file(unique token) then read_file, checked",
    ...(errors.length ? { error_samples: [...new Set(errors)].slice(0, 5) } : {}),
  };
}
