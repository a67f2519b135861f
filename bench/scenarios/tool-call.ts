/**
 * @module bench/scenarios/tool-call
 * Scenario 2: the cost of a tool call made from inside `execute_code` to the built-in upstream (workspace
 * `read_file`), over 1,000 calls sequential and 1,000 in parallel. Cost per call = (execution − a trivial
 * execution measured in the same round) / calls, so the fixed cost of an execution is not charged to the calls.
 */
import { connectClient, execute } from "../lib/mcp-client";
import { median, p95, round, time } from "../lib/stats";
import type { RunningWorker } from "../lib/workers";

const FILE = "/bench/one.txt";

function program(calls: number, parallel: boolean): string {
  const head = 'import { read_file } from "servers/workspace";\n';
  if (parallel) {
    return `${head}const texts = await Promise.all(Array.from({ length: ${calls} }, () => read_file({ path: "${FILE}" })));\nreturn texts.filter((t) => t === "hello").length;`;
  }
  return `${head}let n = 0;\nfor (let i = 0; i < ${calls}; i++) { if ((await read_file({ path: "${FILE}" })) === "hello") n++; }\nreturn n;`;
}

export async function toolCallCost(gateway: RunningWorker, quick: boolean) {
  const calls = quick ? 100 : 1000;
  const rounds = quick ? 1 : 3;
  const client = await connectClient(new URL("/mcp", gateway.url));
  const wall = { trivial: [] as number[], sequential: [] as number[], parallel: [] as number[] };
  const worker = { trivial: [] as number[], sequential: [] as number[], parallel: [] as number[] };
  const hostCallMs: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  try {
    const seed = await execute(
      client,
      `import { write_file } from "servers/workspace";\nawait write_file({ path: "${FILE}", content: "hello" });\nreturn 1;`,
    );
    if (seed.isError) throw new Error(`could not seed the workspace: ${seed.raw.content?.[0]?.text}`);
    await execute(client, program(10, false));

    const cases = [
      ["trivial", "return 1;", 1],
      ["sequential", program(calls, false), calls],
      ["parallel", program(calls, true), calls],
    ] as const;
    for (let r = 0; r < rounds; r++) {
      for (const [name, code, expect] of cases) {
        const run = await time(() => execute(client, code));
        if (run.value.isError || run.value.result !== expect) {
          failures++;
          firstError ??= String(run.value.error?.message ?? run.value.raw?.content?.[0]?.text).slice(0, 300);
        }
        wall[name].push(run.ms);
        worker[name].push(run.value.duration_ms);
        if (name === "sequential") for (const c of run.value.tool_calls ?? []) hostCallMs.push(c.ms);
      }
    }
  } finally {
    await client.close();
  }

  const perCall = (samples: number[], base: number[]) => round((median(samples) - median(base)) / calls);
  return {
    upstream: "workspace (built-in) read_file",
    calls,
    rounds,
    sequential_per_call_ms: perCall(wall.sequential, wall.trivial),
    parallel_per_call_ms: perCall(wall.parallel, wall.trivial),
    sequential_total_p50_ms: round(median(wall.sequential)),
    parallel_total_p50_ms: round(median(wall.parallel)),
    trivial_p50_ms: round(median(wall.trivial)),
    worker_sequential_per_call_ms: perCall(worker.sequential, worker.trivial),
    worker_parallel_per_call_ms: perCall(worker.parallel, worker.trivial),
    host_call_p50_ms: round(median(hostCallMs)),
    host_call_p95_ms: round(p95(hostCallMs)),
    failures,
    ...(firstError ? { first_error: firstError } : {}),
  };
}
