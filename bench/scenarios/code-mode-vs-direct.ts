/**
 * @module bench/scenarios/code-mode-vs-direct
 * Scenario 3: one task that needs 20 tool calls (read 20 notes, report the titles and word counts of those that
 * mention a deadline), done as one `execute_code` against the same 20 `read_file` calls made one by one by an MCP
 * client directly to the upstream (the built-in workspace at /servers/workspace/mcp, exposed with
 * `expose_builtin_routes`, so each call gets the gateway's direct-call checks). Wall time is measured pair
 * by pair; round trips are HTTP requests counted in the client's fetch; bytes and tokens are of every tool result
 * the client receives. The model's own latency between direct calls is not included, which favours direct calls.
 */
import { type BenchClient, connectClient, execute } from "../lib/mcp-client";
import { median, p95, pairRatios, round, time } from "../lib/stats";
import { countTokens, jsonBytes, jsonTokens, TOKENIZER } from "../lib/tokens";
import type { RunningWorker } from "../lib/workers";

const NOTES = 20;
const TOPICS = ["billing", "onboarding", "search", "latency", "pricing", "security", "mobile", "analytics"];

function notePath(i: number): string {
  return `/bench/notes/note-${String(i).padStart(2, "0")}.md`;
}

/** A ~1.2 KB meeting note; every third one mentions a deadline. */
function noteText(i: number): string {
  const topic = TOPICS[i % TOPICS.length]!;
  const lines = [`# ${topic[0]!.toUpperCase()}${topic.slice(1)} sync ${i + 1}`, ""];
  for (let k = 0; k < 12; k++) {
    lines.push(
      `- Item ${k + 1}: the ${topic} team reviewed open questions, agreed on owners, and noted follow-ups for week ${k + 2}.`,
    );
  }
  if (i % 3 === 0)
    lines.push("", `Deadline: the ${topic} review is due on 2026-12-${String(1 + (i % 28)).padStart(2, "0")}.`);
  return lines.join("\n");
}

const CODE = `import { read_file } from "servers/workspace";
const paths = Array.from({ length: ${NOTES} }, (_, i) => \`/bench/notes/note-\${String(i).padStart(2, "0")}.md\`);
const texts = await Promise.all(paths.map((path) => read_file({ path })));
return texts
  .filter((t) => /deadline/i.test(t))
  .map((t) => ({ title: t.split("\\n")[0].replace(/^# /, ""), words: t.split(/\\s+/).filter(Boolean).length }));`;

function expected() {
  return Array.from({ length: NOTES }, (_, i) => noteText(i))
    .filter((t) => /deadline/i.test(t))
    .map((t) => ({ title: t.split("\n")[0]!.replace(/^# /, ""), words: t.split(/\s+/).filter(Boolean).length }));
}

function textOf(result: { content?: unknown }): string {
  const content = Array.isArray(result.content) ? result.content : [];
  return content.map((c: { text?: string }) => c.text ?? "").join("\n");
}

async function direct(client: BenchClient) {
  const results = [];
  for (let i = 0; i < NOTES; i++) results.push(await client.call("read_file", { path: notePath(i) }));
  return results;
}

export async function codeModeVsDirect(gateway: RunningWorker, quick: boolean) {
  const rounds = quick ? 2 : 15;
  const gw = await connectClient(new URL("/mcp", gateway.url));
  const up = await connectClient(new URL("/servers/workspace/mcp", gateway.url));
  const want = JSON.stringify(expected());
  const code: number[] = [];
  const dir: number[] = [];
  let failures = 0;
  let measured: { code: any; direct: any[]; codeTrips: number; directTrips: number } | undefined;
  try {
    for (let i = 0; i < NOTES; i++) {
      const w = await up.call("write_file", { path: notePath(i), content: noteText(i) });
      if (w.isError) throw new Error(`could not write the notes: ${textOf(w)}`);
    }
    await execute(gw, CODE);
    await direct(up);
    for (let r = 0; r < rounds; r++) {
      const runCode = async () => {
        const before = gw.requests;
        const t = await time(() => gw.call("execute_code", { code: CODE }));
        if (t.value.isError || JSON.stringify((t.value.structuredContent as any)?.result) !== want) failures++;
        code.push(t.ms);
        return { result: t.value, trips: gw.requests - before };
      };
      const runDirect = async () => {
        const before = up.requests;
        const t = await time(() => direct(up));
        if (t.value.some((x) => x.isError)) failures++;
        dir.push(t.ms);
        return { results: t.value, trips: up.requests - before };
      };
      // Alternate which goes first, so a drift in machine load does not favour either side.
      let c: Awaited<ReturnType<typeof runCode>>;
      let d: Awaited<ReturnType<typeof runDirect>>;
      if (r % 2 === 0) {
        c = await runCode();
        d = await runDirect();
      } else {
        d = await runDirect();
        c = await runCode();
      }
      measured ??= { code: c.result, direct: d.results, codeTrips: c.trips, directTrips: d.trips };
    }
  } finally {
    await gw.close();
    await up.close();
  }
  const m = measured!;
  const ratios = pairRatios(code, dir);
  const tokensCode = jsonTokens(m.code);
  const tokensDirect = m.direct.reduce((sum, r) => sum + jsonTokens(r), 0);
  return {
    task: `read ${NOTES} notes (~1.2 KB each), return title and word count of those mentioning a deadline`,
    tool_calls: NOTES,
    rounds,
    wall_ratio_median: round(median(ratios)),
    wall_ratio_p95: round(p95(ratios)),
    wall_code_mode_p50_ms: round(median(code)),
    wall_direct_p50_ms: round(median(dir)),
    round_trips_code_mode: m.codeTrips,
    round_trips_direct: m.directTrips,
    bytes_code_mode: jsonBytes(m.code),
    bytes_direct: m.direct.reduce((sum, r) => sum + jsonBytes(r), 0),
    tokens_code_mode: tokensCode,
    tokens_direct: tokensDirect,
    tokens_code_mode_text_only: countTokens(textOf(m.code)),
    tokens_direct_text_only: m.direct.reduce((sum, r) => sum + countTokens(textOf(r)), 0),
    token_ratio: round(tokensCode / tokensDirect),
    tokenizer: TOKENIZER,
    failures,
  };
}
