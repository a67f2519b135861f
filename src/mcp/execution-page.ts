/**
 * @module mcp/execution-page
 * One execution of the history as `get_execution` answers it: the record with one page of its tool-call trace, and
 * a compact text of the same. The history keeps up to 10,000 calls per execution; a model reads them a page at a
 * time ({@link CALLS_PER_PAGE} from `offset`; with `failed`, only the calls that did not end `ok`), so the reply
 * stays bounded whatever the program did (a 2,000-call record was 547 KB of pretty-printed JSON, twice).
 */
import type { ToolCallRecord } from "../sandbox/execution-types";
import { clip } from "../sandbox/reply-caps";
import { statusOf } from "../user/execution-history";
import type { ExecutionRecord } from "../user/user-types";
import { callText, callTotal, count, listed } from "./tool-call-summary";

/**
 * Calls per page: about 6 KB of text. Fixed rather than an argument, since each argument costs tokens in every
 * tools/list (budgeted at 1,000 for the whole gateway).
 */
export const CALLS_PER_PAGE = 100;
/** What the text shows of the result, the code and each log line; structuredContent has them as recorded. */
const TEXT_RESULT_CHARS = 4_000;
const TEXT_CODE_CHARS = 8_000;
const TEXT_ERROR_CHARS = 4_000;
const TEXT_LOG_LINES = 100;
const TEXT_LOG_LINE_CHARS = 500;

export interface TraceQuery {
  offset: number;
  /** Only the calls that did not end `ok`. */
  failedOnly: boolean;
}

/** One page of a trace: positions are of the calls that match the query, in the order they were recorded. */
export interface TracePage {
  tool_calls: ToolCallRecord[];
  /** Every call of the execution (a record with `count` stands for that many), as execute_code counts them. */
  tool_calls_total: number;
  /** The records the query matches (every record, or those that did not end `ok`); the page is a slice of them. */
  tool_calls_matching: number;
  /** Where the next page starts; absent on the last page. */
  next_offset?: number;
}

/** Checks get_execution's paging arguments (bounded here: schema keywords cost tokens in every tools/list). */
export function traceQuery(args: { offset?: number; failed?: boolean }): TraceQuery | string {
  const offset = args.offset ?? 0;
  if (!(Number.isInteger(offset) && offset >= 0)) return "offset must be a whole number, 0 or more";
  return { offset, failedOnly: args.failed === true };
}

/** The calls of `calls` the query asks for, with their positions in the whole trace (for the text). */
export function pageToolCalls(
  calls: readonly ToolCallRecord[],
  query: TraceQuery,
): { page: TracePage; positions: number[] } {
  const matching = calls.flatMap((c, i) => (query.failedOnly && c.status === "ok" ? [] : [i]));
  const positions = matching.slice(query.offset, query.offset + CALLS_PER_PAGE);
  const next = query.offset + positions.length;
  const page: TracePage = {
    tool_calls: positions.map((i) => listed(calls[i]!)),
    tool_calls_total: callTotal(calls),
    tool_calls_matching: matching.length,
    ...(next < matching.length ? { next_offset: next } : {}),
  };
  return { page, positions };
}

/** `get_execution`'s structuredContent: the record with one page of its trace in place of the whole. */
export function executionData(record: ExecutionRecord, page: TracePage): Record<string, unknown> {
  const { tool_calls: _, ...rest } = record;
  return { ...rest, ...page };
}

/** The record as text: a header line, the outcome, the waiting call, logs, code, then the page of the trace. */
export function renderExecutionPage(
  record: ExecutionRecord,
  { page, positions }: { page: TracePage; positions: number[] },
  query: TraceQuery,
): string {
  const r = record;
  const where = r.context ? `, context ${r.context}` : r.session ? `, session ${r.session}` : "";
  const what = r.kind === "skill" ? `skill ${r.skill ?? "?"}` : "code";
  const status = r.running ? "running" : statusOf(r);
  const lines = [`${r.execution_id}: ${what}, started ${r.started_at}${where}; ${status}, ${r.duration_ms} ms`];
  if (r.error) {
    const at = r.error.line ? ` at line ${r.error.line}` : "";
    lines.push(`error (${r.error.kind})${at}: ${clip(r.error.message, TEXT_ERROR_CHARS)}`);
  }
  if (r.ok) {
    const json = r.result === undefined ? "undefined" : JSON.stringify(r.result);
    lines.push(`result: ${clip(json, TEXT_RESULT_CHARS)}`);
  }
  const waiting = r.approval ?? r.authorization;
  if (waiting?.handle && !waiting.decision) {
    lines.push(`waiting: ${waiting.server}.${waiting.tool}; handle ${waiting.handle} (approve_call or deny_call)`);
  }
  if (r.logs.length) {
    const shown = r.logs.slice(0, TEXT_LOG_LINES).map((l) => `  ${clip(l, TEXT_LOG_LINE_CHARS)}`);
    const more = r.logs.length - shown.length;
    lines.push(
      `logs (${plural(r.logs.length, "line")}):`,
      ...shown,
      ...(more ? [`  … ${plural(more, "more line")}`] : []),
    );
  }
  if (r.warnings?.length) {
    lines.push("warnings:", ...r.warnings.map((w) => `  ${w.line ? `line ${w.line}: ` : ""}${w.message}`));
  }
  lines.push(
    "code:",
    ...clip(r.code, TEXT_CODE_CHARS)
      .split("\n")
      .map((l) => `  ${l}`),
  );
  lines.push(...traceLines(r.execution_id, page, positions, query));
  return lines.join("\n");
}

const plural = (n: number, noun: string): string => `${count(n)} ${noun}${n === 1 ? "" : "s"}`;

function traceLines(id: string, page: TracePage, positions: number[], query: TraceQuery): string[] {
  const which = query.failedOnly ? ` (${count(page.tool_calls_matching)} did not end ok)` : "";
  const head = `tool calls: ${count(page.tool_calls_total)}${which}`;
  if (page.tool_calls.length === 0) {
    return [page.tool_calls_matching ? `${head}; none from offset ${count(query.offset)}` : head];
  }
  const first = positions[0]! + 1;
  const last = positions.at(-1)! + 1;
  const shown = query.failedOnly ? `; these ${page.tool_calls.length}` : `; #${count(first)}-${count(last)}`;
  const lines = [`${head}${shown}:`, ...page.tool_calls.map((c, i) => `  #${positions[i]! + 1} ${callText(c)}`)];
  if (page.next_offset !== undefined) {
    const failed = query.failedOnly ? ", failed: true" : "";
    lines.push(`next page: get_execution({ id: "${id}", offset: ${page.next_offset}${failed} })`);
  }
  return lines;
}
