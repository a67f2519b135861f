/**
 * @module mcp/tool-call-summary
 * The tool-call trace as an execution's reply carries it: bounded whatever the number of calls. A trace of up to
 * {@link LISTED_TOOL_CALLS} + {@link LISTED_FAILED_CALLS} records is listed whole. A longer one lists its first
 * LISTED_TOOL_CALLS records as recorded (what a model needs to debug a short program), then up to LISTED_FAILED_CALLS
 * later ones that did not end `ok` (what it needs to debug a long one), and counts every other call in one group per
 * server, tool and status. The execution history keeps the whole trace (get_execution, the dashboard).
 */

import type { ToolCallRecord, ToolCallStatus } from "../sandbox/execution-types";
import { clip } from "../sandbox/reply-caps";

/** Calls listed from the start of the trace, whatever their status. */
export const LISTED_TOOL_CALLS = 20;
/** Later calls listed because they did not end `ok`. */
export const LISTED_FAILED_CALLS = 20;
/** Groups of the summary; calls of further tools are folded into one group per status. */
export const MAX_SUMMARY_GROUPS = 40;
/** Longest error text of a listed call: an upstream's message is not bounded otherwise. */
export const MAX_LISTED_ERROR_CHARS = 2_000;
/** Longest `first_error` of a group. */
const MAX_GROUP_ERROR_CHARS = 300;

/** Calls not listed, of one server, tool and status (server and tool `*` when folded: `tools` says how many). */
export interface ToolCallGroup {
  server: string;
  tool: string;
  status: ToolCallStatus;
  calls: number;
  min_ms: number;
  max_ms: number;
  /** The first error among these calls, for a status other than `ok`. */
  first_error?: string;
  /** How many tools a folded group (`*`) stands for. */
  tools?: number;
}

/**
 * The trace as a reply carries it. `tool_calls_total` and `tool_calls_summary` are present exactly when some calls
 * are not listed: then every call is either in `tool_calls` or counted in `tool_calls_summary`.
 */
export interface ListedToolCalls {
  tool_calls: ToolCallRecord[];
  /** Every call of the execution (a record with `count` stands for that many). */
  tool_calls_total?: number;
  tool_calls_summary?: ToolCallGroup[];
}

const callsOf = (c: ToolCallRecord) => c.count ?? 1;

/** Every call of a trace (a record with `count` stands for that many). */
export const callTotal = (calls: readonly ToolCallRecord[]): number => calls.reduce((n, c) => n + callsOf(c), 0);

/** A call as a reply lists it: its error cut at {@link MAX_LISTED_ERROR_CHARS}. */
export function listed(c: ToolCallRecord): ToolCallRecord {
  return c.error !== undefined && c.error.length > MAX_LISTED_ERROR_CHARS
    ? { ...c, error: clip(c.error, MAX_LISTED_ERROR_CHARS) }
    : c;
}

/** Groups `calls` by server, tool and status, in order of first appearance; past MAX_SUMMARY_GROUPS, by status. */
function group(calls: readonly ToolCallRecord[]): ToolCallGroup[] {
  const groups = new Map<string, ToolCallGroup>();
  const folded = new Map<ToolCallStatus, ToolCallGroup & { names: Set<string> }>();
  for (const c of calls) {
    const key = JSON.stringify([c.server, c.tool, c.status]);
    let g: ToolCallGroup | undefined = groups.get(key);
    if (!g && groups.size < MAX_SUMMARY_GROUPS) {
      g = { server: c.server, tool: c.tool, status: c.status, calls: 0, min_ms: c.ms, max_ms: c.ms };
      groups.set(key, g);
    }
    if (!g) {
      let f = folded.get(c.status);
      if (!f) {
        f = { server: "*", tool: "*", status: c.status, calls: 0, min_ms: c.ms, max_ms: c.ms, names: new Set() };
        folded.set(c.status, f);
      }
      f.names.add(JSON.stringify([c.server, c.tool]));
      g = f;
    }
    g.calls += callsOf(c);
    g.min_ms = Math.min(g.min_ms, c.ms);
    g.max_ms = Math.max(g.max_ms, c.ms);
    if (g.first_error === undefined && c.error !== undefined) g.first_error = clip(c.error, MAX_GROUP_ERROR_CHARS);
  }
  const rest = [...folded.values()].map(({ names, ...f }) => ({ ...f, tools: names.size }));
  return [...groups.values(), ...rest];
}

/** The trace bounded for a reply (module comment); a short trace comes back whole, as recorded. */
export function listToolCalls(calls: readonly ToolCallRecord[]): ListedToolCalls {
  if (calls.length <= LISTED_TOOL_CALLS + LISTED_FAILED_CALLS) return { tool_calls: calls.map(listed) };
  const kept: ToolCallRecord[] = [];
  const rest: ToolCallRecord[] = [];
  let failures = 0;
  calls.forEach((c, i) => {
    if (i < LISTED_TOOL_CALLS) kept.push(listed(c));
    else if (c.status !== "ok" && failures < LISTED_FAILED_CALLS) {
      failures++;
      kept.push(listed(c));
    } else rest.push(c);
  });
  if (rest.length === 0) return { tool_calls: kept };
  return {
    tool_calls: kept,
    tool_calls_total: callTotal(calls),
    tool_calls_summary: group(rest),
  };
}

/** `1980` as `1,980`. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** One call in a line of text: `workspace.read_file error 3 ms: file not found`. */
export function callText(c: ToolCallRecord): string {
  return `${c.server}.${c.tool} ${c.status}${c.count ? ` (${c.count} calls)` : ""} ${c.ms} ms${c.error ? `: ${c.error}` : ""}`;
}

const callLine = (c: ToolCallRecord): string => `  ${callText(c)}`;

function groupLine(g: ToolCallGroup): string {
  const name = g.tools === undefined ? `${g.server}.${g.tool}` : `${count(g.tools)} other tools`;
  const ms = g.min_ms === g.max_ms ? `${g.min_ms} ms` : `${g.min_ms}-${g.max_ms} ms`;
  return `  ${name} x${count(g.calls)} ${g.status}, ${ms}${g.first_error ? ` (first: ${g.first_error})` : ""}`;
}

/** The trace's lines in an execution's text: the listed calls, then one line per group and where the rest is. */
export function renderToolCalls(trace: ListedToolCalls, executionId: string): string[] {
  if (trace.tool_calls.length === 0) return [];
  const summary = trace.tool_calls_summary;
  if (!summary) return [`tool calls (${trace.tool_calls.length}):`, ...trace.tool_calls.map(callLine)];
  const first = trace.tool_calls.slice(0, LISTED_TOOL_CALLS);
  const failed = trace.tool_calls.slice(LISTED_TOOL_CALLS);
  const grouped = summary.reduce((n, g) => n + g.calls, 0);
  return [
    `tool calls (${count(trace.tool_calls_total ?? 0)}; the first ${first.length} listed):`,
    ...first.map(callLine),
    ...(failed.length ? [`later calls that did not end ok (${failed.length} listed):`, ...failed.map(callLine)] : []),
    `the other ${count(grouped)} calls, by tool and status:`,
    ...summary.map(groupLine),
    ...(executionId ? [`full trace: get_execution({ id: "${executionId}" })`] : []),
  ];
}
