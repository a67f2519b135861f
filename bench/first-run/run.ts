/**
 * @module bench/first-run/run
 * `npm run bench:first-run`: the first-run corpus (bench/first-run/corpus.ts, 100 programs) through the real
 * gateway against real upstreams (the built-in workspace and `@modelcontextprotocol/server-everything`), once per
 * type-check policy: `tools` (the default), `strict`, and `off` (the gateway before the check, the baseline). In each
 * run the correct programs go first, in one session, as a model's session would: their results are what the
 * observed types are learned from. Then the same corpus through `@cloudflare/codemode`'s executor inside the bench
 * Worker, against the same upstreams (bench/worker/first-run-codemode.ts), as the second baseline. Reports, per
 * policy: correct programs accepted, faulty programs stopped before any tool call and whether the message names the
 * fix, and check latency. Writes the `first_run` key of bench/results.json and prints a Markdown table. It exits
 * non-zero only when a correct program is not accepted by the gateway. `--only=codemode` measures the codemode
 * baseline alone and keeps the policies' figures already in bench/results.json.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { startEverything } from "../../test/support/upstreams";
import { stopAll, using } from "../lib/cleanup";
import { connectClient, execute } from "../lib/mcp-client";
import { median, p95, round } from "../lib/stats";
import { benchOp, startBenchWorker, startGatewayWorker } from "../lib/workers";
import type { CodemodeRun } from "../worker/first-run-codemode";
import { codemodeSource } from "./codemode-source";
import { type CorpusProgram, firstRunCorpus, type Mistake } from "./corpus";

const OUT = "bench/results.json";
const POLICIES = ["tools", "strict", "off"] as const;
/** The columns of the report: the gateway's policies, then the codemode baseline. */
const COLUMNS = [...POLICIES, "codemode"] as const;
const ONLY_CODEMODE = process.argv.includes("--only=codemode");
const log = (msg: string) => console.error(`[first-run] ${msg}`);

function accepted(p: CorpusProgram, r: any): boolean {
  if (r.isError || !r.ok) return false;
  try {
    assert.deepEqual(r.result, p.expect);
    return true;
  } catch {
    return false;
  }
}

async function runPolicy(url: string, policy: (typeof POLICIES)[number], corpus: CorpusProgram[]) {
  const config = {
    typecheck: policy,
    network: { allow_loopback: true },
    servers: [
      // delete_file is destructive, so it would ask for approval: the corpus measures the check, not approvals.
      { name: "workspace", url: "builtin:workspace", approval: { default: "allow" } },
      { name: "everything", url },
    ],
    limits: { execute_rate_limit: { executions: 100_000, per_seconds: 60 } },
  };
  return using(
    `gateway (${policy})`,
    () => startGatewayWorker(config),
    async (gateway) => {
      const client = await connectClient(new URL("/mcp", gateway.url));
      const byMistake = new Map<Mistake, { total: number; stopped: number; named: number; warned: number }>();
      const checkMs: number[] = [];
      const rejectedCorrect: string[] = [];
      let correct = 0;
      let acceptedCount = 0;
      let faulty = 0;
      let stopped = 0;
      let named = 0;
      let warned = 0;
      try {
        for (const p of corpus) {
          const r = await execute(client, p.code);
          if (r.typecheck && !r.typecheck.cold) checkMs.push(r.typecheck.ms);
          if (!p.mistake) {
            correct++;
            if (accepted(p, r)) acceptedCount++;
            else rejectedCorrect.push(`${p.name}: ${r.error?.message ?? JSON.stringify(r.result)}`.slice(0, 300));
            continue;
          }
          faulty++;
          const row = byMistake.get(p.mistake) ?? { total: 0, stopped: 0, named: 0, warned: 0 };
          byMistake.set(p.mistake, row);
          row.total++;
          const before = !r.ok && (r.tool_calls?.length ?? 0) === 0;
          const warning = (r.warnings ?? []).some((w: any) => p.fix!.test(w.message));
          if (before) {
            stopped++;
            row.stopped++;
            if (p.fix!.test(r.error?.message ?? "")) {
              named++;
              row.named++;
            }
          } else if (warning) {
            warned++;
            row.warned++;
          }
        }
      } finally {
        await client.close();
      }
      return {
        correct_programs: correct,
        correct_accepted: acceptedCount,
        correct_accepted_share: round(acceptedCount / correct),
        faulty_programs: faulty,
        faulty_stopped_before_any_tool_call: stopped,
        faulty_stopped_share: round(stopped / faulty),
        faulty_stopped_naming_the_fix: named,
        faulty_stopped_naming_the_fix_share: round(named / faulty),
        faulty_run_with_a_warning_naming_the_fix: warned,
        check_p50_ms: checkMs.length ? round(median(checkMs)) : null,
        check_p95_ms: checkMs.length ? round(p95(checkMs)) : null,
        by_mistake: Object.fromEntries(byMistake),
        ...(rejectedCorrect.length ? { correct_not_accepted: rejectedCorrect } : {}),
      };
    },
  );
}

/** Codemode names servers without the `servers/` prefix, so a fix that names a module names the bare server. */
function codemodeFix(fix: RegExp): RegExp {
  return new RegExp(fix.source.replaceAll("servers\\/", ""), fix.flags);
}

/** The corpus through codemode's executor, scored as {@link runPolicy} scores the gateway. */
async function runCodemode(everythingUrl: string, corpus: CorpusProgram[]) {
  const runs = await using(
    "bench worker (codemode)",
    () => startBenchWorker({ servers: [] }),
    (worker) =>
      benchOp<CodemodeRun[]>(worker, {
        op: "first_run_codemode",
        everything_url: everythingUrl,
        programs: corpus.map((p) => codemodeSource(p.code)),
      }),
  );
  type Row = { total: number; stopped: number; named: number; completed: number; first_error?: string };
  const byMistake = new Map<Mistake, Row>();
  const rejectedCorrect: string[] = [];
  let correct = 0;
  let acceptedCount = 0;
  let faulty = 0;
  let stopped = 0;
  let named = 0;
  let completed = 0;
  corpus.forEach((p, i) => {
    const r = runs[i]!;
    if (!p.mistake) {
      correct++;
      if (accepted(p, r)) acceptedCount++;
      else rejectedCorrect.push(`${p.name}: ${r.error ?? JSON.stringify(r.result)}`.slice(0, 300));
      return;
    }
    faulty++;
    const row: Row = byMistake.get(p.mistake) ?? { total: 0, stopped: 0, named: 0, completed: 0 };
    byMistake.set(p.mistake, row);
    row.total++;
    if (r.error) row.first_error ??= r.error.slice(0, 200);
    if (r.ok) {
      completed++;
      row.completed++;
    } else if (r.tool_calls === 0) {
      stopped++;
      row.stopped++;
      if (codemodeFix(p.fix!).test(r.error ?? "")) {
        named++;
        row.named++;
      }
    }
  });
  return {
    executor: "@cloudflare/codemode 0.5.6 DynamicWorkerExecutor",
    correct_programs: correct,
    correct_accepted: acceptedCount,
    correct_accepted_share: round(acceptedCount / correct),
    faulty_programs: faulty,
    faulty_stopped_before_any_tool_call: stopped,
    faulty_stopped_share: round(stopped / faulty),
    faulty_stopped_naming_the_fix: named,
    faulty_stopped_naming_the_fix_share: round(named / faulty),
    faulty_run_with_a_warning_naming_the_fix: 0,
    faulty_completed_without_error: completed,
    check_p50_ms: null,
    check_p95_ms: null,
    execute_p50_ms: round(median(runs.map((r) => r.ms))),
    by_mistake: Object.fromEntries(byMistake),
    ...(rejectedCorrect.length ? { correct_not_accepted: rejectedCorrect } : {}),
  };
}

function render(results: Record<string, any>): string {
  const rows = COLUMNS.map((p) => {
    const r = results[p];
    return `| ${p} | ${r.correct_accepted}/${r.correct_programs} | ${r.faulty_stopped_before_any_tool_call}/${r.faulty_programs} | ${r.faulty_stopped_naming_the_fix}/${r.faulty_programs} | ${r.faulty_run_with_a_warning_naming_the_fix} | ${r.check_p50_ms ?? "-"} / ${r.check_p95_ms ?? "-"} |`;
  });
  const mistakes = Object.keys(results.tools.by_mistake) as Mistake[];
  const detail = mistakes.map(
    (m) =>
      `| ${m} | ${COLUMNS.map((p) => `${results[p].by_mistake[m].named}/${results[p].by_mistake[m].total}`).join(" | ")} |`,
  );
  return [
    "| policy | correct accepted | faulty stopped before any tool call | ... with a message naming the fix | faulty run, warning names the fix | check p50 / p95 ms |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `| mistake | ${COLUMNS.join(" | ")} |`,
    `| --- | ${COLUMNS.map(() => "---").join(" | ")} |`,
    ...detail,
  ].join("\n");
}

const watchdog = setTimeout(() => {
  log("watchdog: over 15 minutes; stopping");
  void stopAll().finally(() => process.exit(124));
}, 15 * 60_000);
try {
  const corpus = firstRunCorpus();
  log(`${corpus.length} programs (${corpus.filter((p) => !p.mistake).length} correct)`);
  const previous = JSON.parse(readFileSync(OUT, "utf8"));
  if (ONLY_CODEMODE && !POLICIES.every((p) => previous.first_run?.[p])) {
    throw new Error(
      `--only=codemode keeps the policies' figures from the first_run key of ${OUT}, which lacks them: run npm run bench:first-run once without it`,
    );
  }
  const when = { date: new Date().toISOString(), load_average_at_start: loadavg().map((l) => Number(l.toFixed(2))) };
  // With --only=codemode the policies' figures, and the date and load they were measured at, stay as they were.
  const results: Record<string, any> = ONLY_CODEMODE
    ? { ...previous.first_run }
    : { programs: corpus.length, upstreams: ["builtin:workspace", "@modelcontextprotocol/server-everything"], ...when };
  await using(
    "server-everything",
    () => startEverything(),
    async (everything) => {
      for (const policy of ONLY_CODEMODE ? [] : POLICIES) {
        log(`policy ${policy}`);
        results[policy] = await runPolicy(everything.url, policy, corpus);
      }
      log("@cloudflare/codemode");
      results.codemode = { ...(await runCodemode(everything.url, corpus)), ...when };
    },
  );
  writeFileSync(OUT, `${JSON.stringify({ ...previous, first_run: results }, null, 2)}\n`);
  console.log(render(results));
  for (const p of POLICIES) if (results[p].correct_accepted !== results[p].correct_programs) process.exitCode = 1;
} catch (err) {
  log(`failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  clearTimeout(watchdog);
}
process.exit(process.exitCode ?? 0);
