/**
 * @module bench/scenarios/vs-codemode
 * Scenario 4 and the executor's own measurements, inside workerd (the bench Worker): our executor against
 * `@cloudflare/codemode`'s DynamicWorkerExecutor on the same programs and the same host-side tool, batches
 * interleaved and ratios taken pair by pair; the step guard on a tight loop (guarded vs unguarded); each hop of a
 * tool call timed alone; and our full path through the real session object, with no HTTP client in front.
 * One experiment shows what the loop guard's count on a local alias of the meter saves: the guard as a call.
 */
import { ANSWER_AFTER_CONFIGURE, editedSandboxModules, NO_BUILTIN_GUARDS } from "../lib/sandbox-variants";
import { median, p95, pairRatios, round } from "../lib/stats";
import { benchOp, type RunningWorker } from "../lib/workers";
import { PROGRAMS, quickProgram } from "../programs";
import type { BatchTiming } from "../worker/batch";
import type { Engine } from "../worker/bench-session";
import type { Hop } from "../worker/hops";
import type { GuardVariant } from "../worker/loader-variants";

function rounds(name: string, quick: boolean): number {
  if (quick) return 2;
  return name.endsWith("_calls") ? 6 : name === "compute" ? 10 : 16;
}

async function batches(worker: RunningWorker, engines: Engine[], program: string, n: number, quick: boolean) {
  const ms: Record<string, number[]> = Object.fromEntries(engines.map((e) => [e, []]));
  let failures = 0;
  let firstError: string | undefined;
  for (let r = 0; r < n; r++) {
    // Rotate the order every round so a drift in machine load does not favour any engine.
    const order = engines.map((_, i) => engines[(i + r) % engines.length]!);
    for (const engine of order) {
      const t = await benchOp<BatchTiming>(worker, { op: "compare", engine, program, quick });
      failures += t.failures;
      if (t.error) firstError ??= `${engine}: ${t.error}`;
      ms[engine]!.push(t.ms);
    }
  }
  return { ms, failures, firstError };
}

export async function executorComparison(worker: RunningWorker, quick: boolean, log: (msg: string) => void) {
  const engines: Engine[] = ["ours", "codemode"];
  const programs = [];
  const allRatios: number[] = [];
  let failures = 0;
  const perProgram: Record<string, Record<string, number[]>> = {};
  for (const base of PROGRAMS) {
    const p = quick ? quickProgram(base) : base;
    const b = await batches(worker, engines, p.name, rounds(p.name, quick), quick);
    perProgram[p.name] = b.ms;
    failures += b.failures;
    const ratios = pairRatios(b.ms.ours!, b.ms.codemode!);
    allRatios.push(...ratios);
    const row = {
      name: p.name,
      about: p.about,
      tool_calls: p.toolCalls,
      ours_p50_ms: round(median(b.ms.ours!)),
      ours_p95_ms: round(p95(b.ms.ours!)),
      codemode_p50_ms: round(median(b.ms.codemode!)),
      codemode_p95_ms: round(p95(b.ms.codemode!)),
      ratio_median: round(median(ratios)),
      ratio_p95: round(p95(ratios)),
      ...(b.firstError ? { first_error: b.firstError } : {}),
    };
    log(`  ${p.name}: ours ${row.ours_p50_ms} ms, codemode ${row.codemode_p50_ms} ms, ratio ${row.ratio_median}`);
    programs.push(row);
  }
  const calls = quick ? 100 : 1000;
  const perCall = (engine: string, program: string) =>
    round((median(perProgram[program]![engine]!) - median(perProgram.trivial![engine]!)) / calls);
  return {
    ratio_median: round(median(allRatios)),
    ratio_p95: round(p95(allRatios)),
    ratio_definition: "ours / codemode, per interleaved batch pair, pooled over all programs",
    programs,
    tool: "echo, answered on the host by the same function for both executors",
    per_call_ms: {
      ours_sequential: perCall("ours", "sequential_calls"),
      ours_parallel: perCall("ours", "parallel_calls"),
      codemode_sequential: perCall("codemode", "sequential_calls"),
      codemode_parallel: perCall("codemode", "parallel_calls"),
    },
    failures,
  };
}

export async function guardOverhead(worker: RunningWorker, quick: boolean) {
  const variants: GuardVariant[] = ["guarded", "unguarded", "call"];
  const rows = [];
  for (const program of ["loop40m", "calls10m"]) {
    const ms: Record<string, number[]> = { guarded: [], unguarded: [], call: [] };
    let failures = 0;
    const n = quick ? 2 : 8;
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(i + r) % variants.length]!;
        const t = await benchOp<BatchTiming>(worker, { op: "guard", variant, program });
        failures += t.failures;
        ms[variant]!.push(t.ms);
      }
    }
    const steps = program === "loop40m" ? 40_000_000 : 20_000_000;
    rows.push({
      name: program,
      guarded_p50_ms: round(median(ms.guarded!)),
      unguarded_p50_ms: round(median(ms.unguarded!)),
      ratio_median: round(median(pairRatios(ms.guarded!, ms.unguarded!))),
      ns_per_step: round(((median(ms.guarded!) - median(ms.unguarded!)) * 1e6) / steps),
      experiment_call_guard_p50_ms: round(median(ms.call!)),
      experiment_call_guard_ratio_median: round(median(pairRatios(ms.call!, ms.unguarded!))),
      failures,
    });
  }
  return { programs: rows };
}

const HOPS: Array<{ hop: Hop; about: string }> = [
  { hop: "isolate", about: "load a minimal fresh isolate and call it once" },
  {
    hop: "isolate_codemode_compat",
    about: "the same minimal isolate with codemode's compatibility date and flags (2025-06-01, nodejs_compat)",
  },
  {
    hop: "isolate_no_nodejs_compat",
    about: "experiment: the minimal isolate with our date and no_nodejs_compat (on by default since 2026-08-04)",
  },
  { hop: "isolate_ours", about: "load the isolate our executor builds for the trivial program and run it" },
  {
    hop: "isolate_ours_no_builtin_guards",
    about: "experiment: the same isolate without installing the built-in guards (sandbox-guards.js)",
  },
  {
    hop: "isolate_ours_nodejs_compat_v2",
    about:
      "experiment: our trivial-program isolate with nodejs_compat_v2 left on (before #17: touching `process` built Node's process module)",
  },
  {
    hop: "isolate_ours_compile_only",
    about: "split: our modules shipped but none imported (workerd compiles every module it is given)",
  },
  {
    hop: "isolate_ours_evaluate_only",
    about: "split: our modules imported and evaluated, guards installed, run() answering at once",
  },
  { hop: "isolate_codemode", about: "load the isolate codemode builds for the trivial program and run it" },
  {
    hop: "executor_host",
    about:
      "our executor's host-side work for the trivial program (prepare, checks, result), with a sandbox that answers at once",
  },
  { hop: "arg_rpctarget", about: "sandbox → host RpcTarget passed as an argument (our bridge's path, and codemode's)" },
  { hop: "env_noop", about: "sandbox → ctx.exports entrypoint in env (our bridge's first hop before #17)" },
  { hop: "env_do", about: "sandbox → entrypoint → session Durable Object (our bridge's open() before #17)" },
  { hop: "workspace_do", about: "host → WorkspaceStore DO readFile (the built-in upstream's storage)" },
  { hop: "workspace_handle", about: "host → an RpcTarget the WorkspaceStore handed out → readFile" },
  { hop: "workspace_mcp", about: "host MCP client → built-in workspace MCP server → DO (one upstream call)" },
];

/** The hops that time our isolate with a module edited: the edit is made to the source, then minified as shipped. */
function hopOverrides(hop: Hop): Record<string, string> | undefined {
  if (hop === "isolate_ours_no_builtin_guards") return editedSandboxModules(NO_BUILTIN_GUARDS);
  if (hop === "isolate_ours_evaluate_only") return editedSandboxModules([ANSWER_AFTER_CONFIGURE]);
  return undefined;
}

export async function hopProfile(worker: RunningWorker, quick: boolean) {
  const samples = new Map<Hop, number[]>(HOPS.map(({ hop }) => [hop, []]));
  const overrides = new Map(HOPS.map(({ hop }) => [hop, hopOverrides(hop)]));
  const n = (hop: Hop) => (hop.startsWith("isolate") ? (quick ? 5 : 20) : quick ? 50 : 300);
  const op = (hop: Hop, count: number) => ({ op: "hop", hop, n: count, overrides: overrides.get(hop) });
  // One discarded warm-up pass, then hops round-robin, so no hop always runs first or on a colder Worker.
  for (const { hop } of HOPS) await benchOp<BatchTiming>(worker, op(hop, 2));
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    for (const { hop } of HOPS) {
      samples.get(hop)!.push((await benchOp<BatchTiming>(worker, op(hop, n(hop)))).ms);
    }
  }
  return HOPS.map(({ hop, about }) => ({ hop, about, ms_per_op: round(median(samples.get(hop)!)) }));
}

export async function sessionPath(worker: RunningWorker, quick: boolean) {
  type Samples = { samples: number[]; failures: number; error?: string };
  const cold = await benchOp<Samples>(worker, {
    op: "session",
    mode: "cold",
    calls: 0,
    samples: quick ? 3 : 15,
    batch: 1,
  });
  const warm = await benchOp<Samples>(worker, {
    op: "session",
    mode: "warm",
    calls: 0,
    samples: quick ? 3 : 10,
    batch: 5,
  });
  const calls = quick ? 20 : 100;
  const seq = await benchOp<Samples>(worker, { op: "session", mode: "warm", calls, samples: 3, batch: 1 });
  return {
    about:
      "execute_code through the real SessionObject (MCP server, executor, bridge, built-in upstream), driven inside workerd",
    cold_p50_ms: round(median(cold.samples)),
    warm_p50_ms: round(median(warm.samples)),
    sequential_per_call_ms: round((median(seq.samples) - median(warm.samples)) / calls),
    sequential_calls: calls,
    failures: cold.failures + warm.failures + seq.failures,
    ...(cold.error || warm.error || seq.error ? { first_error: cold.error ?? warm.error ?? seq.error } : {}),
  };
}
