/**
 * @module bench/scenarios/typecheck
 * The type check before a run (src/typecheck): a 100-line program importing three servers (the built-in workspace
 * and two synthetic 100-tool upstreams), checked cold (the first check after the gateway starts: the checker
 * isolate is created from the compiler assets) and warm (later checks, one session). Times are the check's own, as
 * the execution reports them (`typecheck.ms`), plus execute_code end to end with the check on and off.
 */
import { fileURLToPath } from "node:url";
import { startNodeUpstream } from "../../test/support/upstreams";
import { using } from "../lib/cleanup";
import { connectClient, execute } from "../lib/mcp-client";
import { median, p95, round, time } from "../lib/stats";
import { startGatewayWorker } from "../lib/workers";

const UPSTREAM = fileURLToPath(new URL("../synthetic-upstream.mjs", import.meta.url));

/** A 100-line program in the style models write: typed helpers, loops, three servers, result reads. */
export function hundredLineProgram(): string {
  const lines = [
    'import { write_file, read_file, list_directory } from "servers/workspace";',
    'import { salesforce_archive_issue } from "servers/crm";',
    'import { salesforce_archive_issue as archiveTicket } from "servers/desk";',
    "",
    "interface Row { id: string; title: string; score: number; tags: string[] }",
    "type Summary = { total: number; best?: Row; byTag: Record<string, number> };",
    "",
    "function scoreOf(title: string): number {",
    "  let s = 0;",
    "  for (const ch of title) s += ch.charCodeAt(0) % 7;",
    "  return s;",
    "}",
    "",
    "function summarize(rows: Row[]): Summary {",
    "  const byTag: Record<string, number> = {};",
    "  let best: Row | undefined;",
    "  for (const row of rows) {",
    "    for (const tag of row.tags) byTag[tag] = (byTag[tag] ?? 0) + 1;",
    "    if (!best || row.score > best.score) best = row;",
    "  }",
    "  return { total: rows.length, best, byTag };",
    "}",
    "",
    "const rows: Row[] = [];",
  ];
  for (let i = 0; lines.length < 88; i++) {
    lines.push(
      `rows.push({ id: "r${i}", title: "item ${i}", score: scoreOf("item ${i}"), tags: ["t${i % 3}", "all"] });`,
    );
  }
  lines.push(
    "const summary = summarize(rows);",
    'await write_file({ path: "/bench/summary.json", content: JSON.stringify(summary) });',
    'const text: string = await read_file({ path: "/bench/summary.json" });',
    'const listing = await list_directory({ path: "/bench" });',
    'const archived = await salesforce_archive_issue({ issue_id: summary.best?.id ?? "none" });',
    'const again = await archiveTicket({ issue_id: "r1" });',
    "const names = listing.entries.map((e) => e.name).filter((n) => n.endsWith('.json'));",
    "const parsed = JSON.parse(text) as Summary;",
    "if (parsed.total !== rows.length) throw new Error('mismatch');",
    'console.log("kept " + names.length + " files");',
    "const out = { total: parsed.total, tags: Object.keys(parsed.byTag).length, archived, again };",
    "return out.total;",
  );
  return lines.join("\n");
}

async function measure(crm: string, desk: string, quick: boolean, typecheck: "tools" | "off") {
  const config = {
    typecheck,
    network: { allow_loopback: true },
    servers: [
      { name: "workspace", url: "builtin:workspace" },
      { name: "crm", url: crm },
      { name: "desk", url: desk },
    ],
    limits: { execute_rate_limit: { executions: 100_000, per_seconds: 60 } },
  };
  const program = hundredLineProgram();
  const rowCount = program.split("\n").filter((l) => l.startsWith("rows.push(")).length;
  const coldRuns = typecheck === "off" ? 0 : quick ? 2 : 5;
  const warmRuns = quick ? 10 : 50;
  const cold: number[] = [];
  const warm: number[] = [];
  const warmE2e: number[] = [];
  let failures = 0;
  let firstError: unknown;
  const check = (r: any) => {
    if (r.isError || r.result !== rowCount || (typecheck !== "off" && !r.typecheck)) {
      failures++;
      firstError ??= r.error ?? r.warnings ?? "no typecheck timing";
    }
  };
  for (let i = 0; i < coldRuns; i++) {
    await using(
      "gateway (cold check)",
      () => startGatewayWorker(config),
      async (gateway) => {
        const client = await connectClient(new URL("/mcp", gateway.url));
        try {
          const r = await execute(client, program);
          check(r);
          if (r.typecheck?.cold) cold.push(r.typecheck.ms);
        } finally {
          await client.close();
        }
      },
    );
  }
  await using(
    "gateway (warm checks)",
    () => startGatewayWorker(config),
    async (gateway) => {
      const client = await connectClient(new URL("/mcp", gateway.url));
      try {
        for (let i = 0; i < 3; i++) check(await execute(client, program));
        for (let i = 0; i < warmRuns; i++) {
          const run = await time(() => execute(client, program));
          check(run.value);
          if (run.value.typecheck) warm.push(run.value.typecheck.ms);
          warmE2e.push(run.ms);
        }
      } finally {
        await client.close();
      }
    },
  );
  return { program, cold, warm, warmE2e, failures, firstError, coldRuns, warmRuns };
}

/** Cold and warm check of the 100-line program, and execute_code end to end with the check on and off. */
export async function typecheckLatency(quick: boolean, log: (msg: string) => void) {
  return using(
    "synthetic upstream crm",
    () => startNodeUpstream(UPSTREAM, ["100"]),
    (crm) =>
      using(
        "synthetic upstream desk",
        () => startNodeUpstream(UPSTREAM, ["100"]),
        async (desk) => {
          log("typecheck: cold and warm checks (policy tools)");
          const on = await measure(crm.url, desk.url, quick, "tools");
          log("typecheck: the same program with the check off");
          const off = await measure(crm.url, desk.url, quick, "off");
          return {
            program_lines: on.program.split("\n").length,
            servers_imported: 3,
            cold_check_p50_ms: round(median(on.cold)),
            cold_check_max_ms: round(Math.max(...on.cold)),
            warm_check_p50_ms: round(median(on.warm)),
            warm_check_p95_ms: round(p95(on.warm)),
            execute_e2e_warm_p50_ms_check_on: round(median(on.warmE2e)),
            execute_e2e_warm_p50_ms_check_off: round(median(off.warmE2e)),
            goal: "warm p50 < 50 ms",
            cold_runs: on.cold.length,
            warm_runs: on.warm.length,
            failures: on.failures + off.failures,
            ...(on.firstError || off.firstError ? { first_error: on.firstError ?? off.firstError } : {}),
          };
        },
      ),
  );
}
