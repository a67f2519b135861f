/**
 * @module bench/lib/report
 * The printed report: one Markdown summary table (the one README's "Performance" section shows) and detail
 * tables for the executor comparison, the hop profile and the context sizes. Missing scenarios (`--only`) are
 * skipped.
 */

type Results = Record<string, any>;

function table(header: string[], rows: Array<Array<string | number | undefined>>): string {
  const line = (cells: Array<string | number | undefined>) => `| ${cells.map((c) => String(c ?? "–")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const ms = (v: unknown) => (typeof v === "number" ? `${v} ms` : "–");
const x = (v: unknown) => (typeof v === "number" ? `${v}×` : "–");

function summaryRows(r: Results): Array<Array<string | number | undefined>> {
  const rows: Array<Array<string | number | undefined>> = [];
  const eo = r.execute_overhead;
  if (eo) {
    rows.push([
      "1 execute overhead",
      "cold p50 / p95 (MCP client, new session)",
      `${ms(eo.cold_p50_ms)} / ${ms(eo.cold_p95_ms)}`,
      "",
    ]);
    rows.push(["", "warm p50 / p95 (MCP client)", `${ms(eo.warm_p50_ms)} / ${ms(eo.warm_p95_ms)}`, ""]);
    rows.push([
      "",
      "inside the Worker: cold / warm p50 (duration_ms)",
      `${ms(eo.worker_cold_p50_ms)} / ${ms(eo.worker_warm_p50_ms)}`,
      "",
    ]);
    if (eo.in_worker) {
      rows.push([
        "",
        "executor alone, warm (ours / codemode)",
        `${ms(eo.in_worker.executor_ours_p50_ms)} / ${ms(eo.in_worker.executor_codemode_p50_ms)}`,
        "",
      ]);
    }
  }
  const tc = r.tool_call;
  if (tc) {
    rows.push([
      "2 tool call (built-in upstream)",
      `per call, ${tc.calls} sequential / parallel`,
      `${ms(tc.sequential_per_call_ms)} / ${ms(tc.parallel_per_call_ms)}`,
      "",
    ]);
    if (tc.in_worker) {
      rows.push([
        "",
        "executor per call, host echo tool, sequential (ours / codemode)",
        `${ms(tc.in_worker.ours_sequential_per_call_ms)} / ${ms(tc.in_worker.codemode_sequential_per_call_ms)}`,
        "ours < 0.2 ms",
      ]);
    }
  }
  const cd = r.code_mode_vs_direct;
  if (cd) {
    rows.push([
      "3 code mode vs direct (20 calls)",
      "wall ratio, median (code mode / direct)",
      x(cd.wall_ratio_median),
      "",
    ]);
    rows.push([
      "",
      "client round trips (code mode / direct)",
      `${cd.round_trips_code_mode} / ${cd.round_trips_direct}`,
      "",
    ]);
    rows.push(["", "tokens returned (code mode / direct)", `${cd.tokens_code_mode} / ${cd.tokens_direct}`, ""]);
  }
  const vs = r.vs_cloudflare_codemode;
  if (vs) {
    rows.push(["4 vs @cloudflare/codemode", "time ratio, median (ours / theirs)", x(vs.ratio_median), "≤ 1.0"]);
    const fp = vs.full_path_in_worker;
    if (fp) {
      rows.push([
        "",
        "our full path in the Worker (session DO, built-in upstream): warm / per call",
        `${ms(fp.warm_p50_ms)} / ${ms(fp.sequential_per_call_ms)}`,
        "",
      ]);
    }
  }
  const g = r.guard_overhead;
  if (g) {
    for (const p of g.programs) rows.push(["  step guard", `${p.name}: guarded / unguarded`, x(p.ratio_median), ""]);
  }
  const ct = r.context_tokens;
  if (ct) {
    const max = Math.max(...ct.sizes.map((s: any) => s.gateway_tokens));
    const biggest = ct.sizes.at(-1);
    rows.push(["5 context size", "gateway tools/list tokens, max over sizes", max, "< 1,000"]);
    rows.push(["", `direct tools/list tokens at ${biggest.upstream_tools} tools`, biggest.direct_tokens, ""]);
  }
  const s = r.search;
  if (s)
    rows.push([
      "6 search (10,000 tools)",
      "query p50 / p95; index build",
      `${ms(s.p50_ms)} / ${ms(s.p95_ms)}; ${ms(s.index_ms)}`,
      "",
    ]);
  const c = r.concurrency;
  if (c) {
    rows.push([
      `7 concurrency (${c.sessions}×${c.executions_per_session})`,
      "throughput; p95 latency",
      `${c.throughput_per_s}/s; ${ms(c.p95_ms)}`,
      "",
    ]);
    rows.push(["", "errors / lost", `${c.errors} / ${c.lost}`, "0 / 0"]);
  }
  const f = r.fairness;
  if (f) {
    rows.push([
      `7b fairness (${f.light_users} light, 1 heavy)`,
      "light p95 alone / beside the heavy user",
      `${ms(f.light_alone_p95_ms)} / ${ms(f.light_with_heavy_p95_ms)} (${f.p95_ratio}x)`,
      "<= 2x",
    ]);
  }
  const fc = r.first_call;
  if (fc) {
    for (const k of fc.kinds) {
      rows.push([
        k === fc.kinds[0] ? `8 first call of a new session (upstream +${fc.upstream_delay_ms} ms/request)` : "",
        `${k.about}: connect to result p50; upstream requests`,
        `${ms(k.new_session_first_call_p50_ms)}; ${k.upstream_requests_per_new_session}` +
          (k.baseline
            ? ` (baseline ${ms(k.baseline.new_session_first_call_p50_ms)}; ${k.baseline.upstream_requests_per_new_session})`
            : ""),
        "",
      ]);
    }
  }
  const sm = r.session_memory;
  if (sm) {
    const before = sm.baseline ? ` (baseline ${sm.baseline.next_session_mb} MB)` : "";
    rows.push([
      `9 memory per session (${sm.tools} tools)`,
      "first session / each further session (catalog, index, bindings)",
      `${sm.first_session_mb} MB / ${sm.next_session_mb} MB${before}`,
      "",
    ]);
  }
  if (r.meta?.failures !== undefined) rows.push(["all", "runs with a wrong answer or an error", r.meta.failures, "0"]);
  return rows;
}

/** The whole printed report, Markdown. */
export function renderReport(r: Results): string {
  const parts = [table(["scenario", "metric", "result", "target"], summaryRows(r))];
  const vs = r.vs_cloudflare_codemode;
  if (vs) {
    parts.push(
      table(
        ["program", "ours p50", "codemode p50", "ratio (median of pairs)"],
        vs.programs.map((p: any) => [
          `${p.name} (${p.about})`,
          ms(p.ours_p50_ms),
          ms(p.codemode_p50_ms),
          x(p.ratio_median),
        ]),
      ),
    );
    if (vs.hops) {
      const steps = vs.host_steps
        ? [
            ["host (Node): prepare the code of the trivial program", vs.host_steps.prepare_trivial_ms],
            ["host (Node): prepare the code of task20", vs.host_steps.prepare_task20_ms],
          ]
        : [];
      parts.push(
        table(
          ["hop", "ms per operation"],
          [...vs.hops.map((h: any) => [`${h.hop}: ${h.about}`, h.ms_per_op]), ...steps],
        ),
      );
    }
  }
  const ct = r.context_tokens;
  if (ct) {
    parts.push(
      table(
        ["upstream tools", "gateway tools/list tokens", "direct tools/list tokens", "search_tools e2e p50"],
        ct.sizes.map((s: any) => [s.upstream_tools, s.gateway_tokens, s.direct_tokens, ms(s.search_tools_e2e_p50_ms)]),
      ),
    );
    if (ct.gateway_tokens_by_tool) {
      const byTool = ct.gateway_tokens_by_tool.map((t: any) => `${t.name} ${t.tokens}`).join(", ");
      parts.push(`Gateway tools/list by tool (${ct.gateway_tokens_by_tool.length} tools): ${byTool}.`);
    }
  }
  return parts.join("\n\n");
}
