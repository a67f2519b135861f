/**
 * @module bench/scenarios/session-memory
 * Scenario 9: the memory a session holds for a 10,000-tool upstream (catalog tools and maps, search index,
 * binding module source), measured on the V8 heap of a Node process that builds them with the gateway's own code
 * (bench/memory/session-memory-harness.ts, run with --expose-gc) for several sessions at once. The first session
 * of an isolate builds what the isolate shares per catalog version; the figure that decides how many sessions fit
 * is what each further session adds.
 *
 * With BENCH_BASELINE=<another checkout> holding the same harness file, that checkout's code is measured too.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startNodeUpstream } from "../../test/support/upstreams";
import { using } from "../lib/cleanup";

const UPSTREAM = fileURLToPath(new URL("../synthetic-upstream.mjs", import.meta.url));
const HARNESS = "bench/memory/session-memory-harness.ts";
/** A Worker isolate's memory limit, MB. */
const ISOLATE_MB = 128;

async function measure(checkout: string, url: string, sessions: number) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=4096", "--import", "tsx", HARNESS, url, String(sessions)],
    { cwd: checkout, maxBuffer: 1 << 20, timeout: 600_000 },
  );
  const row = JSON.parse(stdout.trim().split("\n").at(-1)!);
  // Catalog structures only: the session object's own state (MCP server, transport, SQLite) comes on top.
  row.sessions_fit_in_128mb_by_catalog =
    row.next_session_mb > 0 ? Math.floor((ISOLATE_MB - row.first_session_mb) / row.next_session_mb) + 1 : null;
  return row;
}

export async function sessionMemory(quick: boolean, log: (msg: string) => void) {
  const tools = quick ? 1000 : 10_000;
  const sessions = quick ? 3 : 8;
  return using(
    `synthetic upstream (${tools} tools)`,
    () => startNodeUpstream(UPSTREAM, [String(tools)]),
    async (upstream) => {
      const ours = await measure(process.cwd(), upstream.url, sessions);
      log(`  first session ${ours.first_session_mb} MB, each further session ${ours.next_session_mb} MB`);
      const baselineDir = process.env.BENCH_BASELINE;
      const withBaseline = baselineDir && existsSync(join(baselineDir, HARNESS));
      const baseline = withBaseline ? await measure(baselineDir, upstream.url, sessions) : undefined;
      if (baseline) log(`  baseline: each further session ${baseline.next_session_mb} MB`);
      return {
        runtime: `Node ${process.version} V8 heap (workerd runs V8 too)`,
        ...ours,
        ...(baseline ? { baseline: { checkout: baselineDir, ...baseline } } : {}),
      };
    },
  );
}
