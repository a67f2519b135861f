/**
 * @module bench/scenarios/execute-overhead
 * Scenario 1 from an MCP client: `execute_code` of a trivial program, end to end (client timer) and inside the
 * Worker (the execution's own `duration_ms`), cold (the first execution of a new session: its catalog and upstream
 * connection are set up) and warm (later executions of one session); then warm again once the user's history holds
 * a few hundred records of 50 kB (each execution's end updates that history, so its cost must not grow with it), and
 * once more beside a carried scope the program does not name (a notebook session's later, unrelated programs).
 */

import { connectClient, execute } from "../lib/mcp-client";
import { median, p95, round, time } from "../lib/stats";
import type { RunningWorker } from "../lib/workers";

const TRIVIAL = "return 1;";
/** Leaves 2,000 small objects at top level: the session carries them into every later execution that names them. */
const NOTEBOOK =
  'const notes = Array.from({ length: 2000 }, (_, i) => ({ i, text: "note " + i }));\nreturn notes.length;';
/** A program whose history record is about 50 kB (its result is kept in the record). */
const FIFTY_KB = 'return "x".repeat(50_000);';

export async function executeOverheadFromClient(gateway: RunningWorker, quick: boolean) {
  const mcpUrl = new URL("/mcp", gateway.url);
  const coldRuns = quick ? 3 : 20;
  const warmRuns = quick ? 5 : 50;
  const cold: number[] = [];
  const coldWorker: number[] = [];
  const init: number[] = [];
  let failures = 0;
  const check = (r: any) => {
    if (r.isError || r.result !== 1) failures++;
  };

  for (let i = 0; i < coldRuns; i++) {
    const opened = await time(() => connectClient(mcpUrl));
    init.push(opened.ms);
    const run = await time(() => execute(opened.value, TRIVIAL));
    check(run.value);
    cold.push(run.ms);
    coldWorker.push(run.value.duration_ms);
    await opened.value.close();
  }

  const client = await connectClient(mcpUrl);
  const warm: number[] = [];
  const warmWorker: number[] = [];
  const historyRecords = quick ? 20 : 400;
  const withHistory: number[] = [];
  const withScope: number[] = [];
  /** `warmRuns` timed executions of the trivial program in the warm session (client ms; worker ms if asked). */
  const timedWarm = async (into: number[], worker?: number[]) => {
    for (let i = 0; i < warmRuns; i++) {
      const run = await time(() => execute(client, TRIVIAL));
      check(run.value);
      into.push(run.ms);
      worker?.push(run.value.duration_ms);
    }
  };
  const setUp = async (code: string) => {
    if (((await execute(client, code)) as { isError?: boolean }).isError) failures++;
  };
  try {
    for (let i = 0; i < 3; i++) check(await execute(client, TRIVIAL));
    await timedWarm(warm, warmWorker);
    for (let i = 0; i < historyRecords; i++) await setUp(FIFTY_KB);
    await timedWarm(withHistory);
    await setUp(NOTEBOOK);
    await timedWarm(withScope);
  } finally {
    await client.close();
  }

  return {
    program: TRIVIAL,
    cold_p50_ms: round(median(cold)),
    cold_p95_ms: round(p95(cold)),
    warm_p50_ms: round(median(warm)),
    warm_p95_ms: round(p95(warm)),
    worker_cold_p50_ms: round(median(coldWorker)),
    worker_warm_p50_ms: round(median(warmWorker)),
    session_init_p50_ms: round(median(init)),
    warm_with_history_p50_ms: round(median(withHistory)),
    history_records_added: historyRecords,
    history_record_kb: 50,
    warm_with_unused_scope_p50_ms: round(median(withScope)),
    unused_scope: "2,000 carried objects (about 60 kB encoded) the trivial program does not name",
    cold_runs: coldRuns,
    warm_runs: warmRuns,
    failures,
  };
}
