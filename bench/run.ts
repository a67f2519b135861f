/**
 * @module bench/run
 * `npm run bench` (full; writes bench/results.json) and `npm run bench:quick` (every scenario small, for CI;
 * writes bench/results.quick.json, which git ignores). Starts what it needs on 127.0.0.1 (the gateway and the
 * bench Worker in workerd, synthetic upstreams in Node), runs the scenarios, prints a Markdown report and stops
 * everything it started, even on failure. It exits non-zero when something breaks, never because a number is slow.
 *
 * `--only=search,tool_call,...` runs a subset (keys of results.json), for working on one scenario.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { stopAll, using } from "./lib/cleanup";
import { renderReport } from "./lib/report";
import { TOKENIZER } from "./lib/tokens";
import { startBenchWorker, startGatewayWorker } from "./lib/workers";
import { codeModeVsDirect } from "./scenarios/code-mode-vs-direct";
import { concurrency } from "./scenarios/concurrency";
import { contextTokens } from "./scenarios/context-tokens";
import { executeOverheadFromClient } from "./scenarios/execute-overhead";
import { fairness } from "./scenarios/fairness";
import { firstCall } from "./scenarios/first-call";
import { hostSteps } from "./scenarios/host-steps";
import { searchLatency } from "./scenarios/search";
import { sessionMemory } from "./scenarios/session-memory";
import { sessionMemoryWorkerd } from "./scenarios/session-memory-workerd";
import { toolCallCost } from "./scenarios/tool-call";
import { typecheckLatency } from "./scenarios/typecheck";
import { executorComparison, guardOverhead, hopProfile, sessionPath } from "./scenarios/vs-codemode";

const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const wanted = (key: string) => !only || only.includes(key);
const OUT = quick ? "bench/results.quick.json" : "bench/results.json";
/** Bounds the whole run: a frozen workerd must fail the bench, never hang CI. */
const WATCHDOG_MS = quick ? 5 * 60_000 : 20 * 60_000;

/**
 * The gateway's configuration for scenarios 1-3 and 7: defaults, with room for 1,000-call executions, and a
 * per-user rate limit and per-user execution cap that are still checked on every execution but set above what the
 * bench sends (the defaults, 600 per minute and 16 at once, would refuse part of the 1,000 concurrent executions
 * of its one user by design).
 */
const GATEWAY_CONFIG = {
  servers: [{ name: "workspace", url: "builtin:workspace", description: "Built-in virtual filesystem" }],
  // Scenario 1 calls the workspace directly at its public route, as a client without code mode would.
  expose_builtin_routes: true,
  limits: {
    max_tool_calls: 1000,
    execution_timeout_ms: 300_000,
    execute_rate_limit: { executions: 100_000, per_seconds: 60 },
    max_concurrent_executions_per_user: 1_000,
  },
};

const started = Date.now();

function readResults(): Record<string, any> {
  try {
    return JSON.parse(readFileSync(OUT, "utf8")) as Record<string, any>;
  } catch {
    return {};
  }
}
const log = (msg: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

function machine() {
  const wrangler = JSON.parse(readFileSync("node_modules/wrangler/package.json", "utf8")).version;
  const codemode = JSON.parse(readFileSync("node_modules/@cloudflare/codemode/package.json", "utf8")).version;
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    wrangler,
    cloudflare_codemode: codemode,
    load_average_at_start: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/**
 * Runs whose answer was wrong or that errored, across scenarios (each checks every result it times). Concurrency
 * errors are that scenario's own measured target and are reported there instead.
 */
function countFailures(value: unknown, key = ""): number {
  if (key === "concurrency" || value === null || typeof value !== "object") return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) n += k === "failures" && typeof v === "number" ? v : countFailures(v, k);
  return n;
}

async function main(): Promise<Record<string, any>> {
  const results: Record<string, any> = {
    meta: { mode: quick ? "quick" : "full", date: new Date().toISOString(), machine: machine(), tokenizer: TOKENIZER },
  };

  if (wanted("search")) {
    log("search: building indexes over synthetic catalogs");
    results.search = searchLatency(quick);
  }

  const gatewayKeys = ["execute_overhead", "tool_call", "code_mode_vs_direct", "concurrency"];
  if (gatewayKeys.some(wanted)) {
    await using(
      "gateway",
      () => startGatewayWorker(GATEWAY_CONFIG),
      async (gateway) => {
        log(`gateway on ${gateway.url.origin}`);
        if (wanted("execute_overhead")) {
          log("execute_overhead: trivial program, cold and warm, from an MCP client");
          results.execute_overhead = await executeOverheadFromClient(gateway, quick);
        }
        if (wanted("tool_call")) {
          log("tool_call: sequential and parallel calls to the built-in upstream");
          results.tool_call = await toolCallCost(gateway, quick);
        }
        if (wanted("code_mode_vs_direct")) {
          log("code_mode_vs_direct: a 20-call task, one execute_code vs 20 direct calls");
          results.code_mode_vs_direct = await codeModeVsDirect(gateway, quick);
        }
        if (wanted("concurrency")) {
          log("concurrency: sessions × executions at once");
          results.concurrency = await concurrency(gateway, quick);
        }
      },
    );
  }

  if (["vs_cloudflare_codemode", "guard_overhead", "execute_overhead", "tool_call"].some(wanted)) {
    await using(
      "bench worker",
      () => startBenchWorker(GATEWAY_CONFIG),
      async (worker) => {
        log(`bench worker on ${worker.url.origin}`);
        log("vs_cloudflare_codemode: same programs, same host tool, interleaved");
        const vs: Record<string, any> = await executorComparison(worker, quick, log);
        log("vs_cloudflare_codemode: hop profile and the full path through the session object");
        vs.hops = await hopProfile(worker, quick);
        vs.host_steps = hostSteps(quick);
        vs.full_path_in_worker = await sessionPath(worker, quick);
        results.vs_cloudflare_codemode = vs;
        log("guard_overhead: tight loops, guarded vs unguarded");
        results.guard_overhead = await guardOverhead(worker, quick);
        const trivial = vs.programs.find((p: any) => p.name === "trivial");
        if (results.execute_overhead) {
          results.execute_overhead.in_worker = {
            executor_ours_p50_ms: trivial.ours_p50_ms,
            executor_codemode_p50_ms: trivial.codemode_p50_ms,
            session_cold_p50_ms: vs.full_path_in_worker.cold_p50_ms,
            session_warm_p50_ms: vs.full_path_in_worker.warm_p50_ms,
          };
        }
        if (results.tool_call) {
          results.tool_call.in_worker = {
            tool: "host echo (no upstream)",
            ours_sequential_per_call_ms: vs.per_call_ms.ours_sequential,
            ours_parallel_per_call_ms: vs.per_call_ms.ours_parallel,
            codemode_sequential_per_call_ms: vs.per_call_ms.codemode_sequential,
            codemode_parallel_per_call_ms: vs.per_call_ms.codemode_parallel,
            full_path_sequential_per_call_ms: vs.full_path_in_worker.sequential_per_call_ms,
          };
        }
      },
    );
  }

  if (wanted("fairness")) {
    log("fairness: light users alone, then beside one heavy user");
    results.fairness = await fairness(quick);
  }

  if (wanted("first_call")) {
    log("first_call: the first tool call of a new session, upstream +20 ms per request");
    results.first_call = await firstCall(quick, log);
  }

  if (wanted("session_memory")) {
    log("session_memory: heap a session holds for a 10,000-tool upstream");
    results.session_memory = await sessionMemory(quick, log);
    results.session_memory.workerd = await sessionMemoryWorkerd(quick, log);
  }

  if (wanted("context_tokens")) {
    log("context_tokens: synthetic upstreams behind the gateway");
    results.context_tokens = await contextTokens(quick, log);
  }

  if (wanted("typecheck")) {
    log("typecheck: a 100-line program importing three servers, cold and warm");
    results.typecheck = await typecheckLatency(quick, log);
  }

  results.meta.failures = countFailures(results);
  results.meta.duration_s = Math.round((Date.now() - started) / 1000);
  results.meta.load_average_at_end = loadavg().map((l) => Number(l.toFixed(2)));
  return results;
}

const watchdog = setTimeout(() => {
  log(`watchdog: the bench exceeded ${WATCHDOG_MS / 1000} s; stopping everything`);
  void stopAll().finally(() => process.exit(124));
}, WATCHDOG_MS);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping everything`);
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  const results = await main();
  // A partial run (--only) replaces only its own keys in an existing results file. A full run replaces every key it
  // measures and keeps the others: keys other tools write (`first_run` from npm run bench:first-run,
  // `prepare_worst_case` from bench/prepare-worst-case.ts) or that were measured apart (`local_traces`, `metered_selection`) were lost
  // with every full run.
  const { meta, ...measured } = results;
  const previous = readResults();
  const kept = Object.keys(previous).filter((key) => !Object.hasOwn(results, key));
  if (!only && kept.length > 0) log(`kept from the previous ${OUT}, not measured by this run: ${kept.join(", ")}`);
  const merged: Record<string, any> = only
    ? { ...previous, ...measured, meta: previous.meta ?? meta }
    : { ...previous, ...results };
  if (only) for (const key of only) if (merged[key]) merged[key].measured_with = meta;
  writeFileSync(OUT, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(renderReport(results));
  console.log(
    `\n${results.meta.machine.cpus} CPUs (${results.meta.machine.cpu_model}), ${results.meta.machine.memory_gb} GB, Node ${results.meta.machine.node}; ` +
      `load average ${results.meta.machine.load_average_at_start.join(" ")} at start. ${results.meta.duration_s} s. Wrote ${OUT}.`,
  );
  if (results.meta.failures > 0) {
    log(
      `${results.meta.failures} run(s) returned a wrong answer or an error (see "failures" and "first_error" in ${OUT})`,
    );
    process.exitCode = 1;
  }
} catch (err) {
  log(`failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  clearTimeout(watchdog);
}
// Undici keep-alive sockets and wrangler internals can hold the event loop open after everything stopped.
process.exit(process.exitCode ?? 0);
