/**
 * @module planning/attempt-calls
 * The tool calls of one run_task attempt, as its report carries them: bounded the way execute_code's reply is
 * (src/mcp/tool-call-summary.ts: up to 40 calls whole, else the first 20, up to 20 later ones that did not end `ok`,
 * and the rest counted per server, tool and status with `tool_calls_total`), each marked read-only or not. Whether an
 * attempt may be retried is decided on every call it made, never on the bounded list.
 */
import { listToolCalls, type ToolCallGroup } from "../mcp/tool-call-summary";
import type { Catalog } from "../registry/registry";
import type { ToolCallRecord } from "../sandbox/execution-types";
import type { TaskAttempt } from "./task-types";

type ReadOnly = (server: string, tool: string) => boolean;

/** Whether the catalog's tool `server`/`tool` (its upstream name, as a call records it) declares readOnlyHint. */
export function readOnlyIn(catalog: Catalog): ReadOnly {
  return (server, tool) => catalog.byName.get(server)?.byUpstreamName.get(tool)?.annotations?.readOnlyHint === true;
}

/** The attempt's calls for its report, bounded (see the module comment). */
export function attemptCalls(
  calls: readonly ToolCallRecord[],
  readOnly: ReadOnly,
): Pick<TaskAttempt, "tool_calls" | "tool_calls_total" | "tool_calls_summary"> {
  const listed = listToolCalls(calls);
  const tool_calls = listed.tool_calls.map((c) => ({
    server: c.server,
    tool: c.tool,
    status: c.status,
    ...(c.count === undefined ? {} : { count: c.count }),
    read_only: readOnly(c.server, c.tool),
  }));
  if (listed.tool_calls_total === undefined || !listed.tool_calls_summary) return { tool_calls };
  return {
    tool_calls,
    tool_calls_total: listed.tool_calls_total,
    // A folded group (`tools` set) stands for several tools: it has no one answer.
    tool_calls_summary: listed.tool_calls_summary.map((g: ToolCallGroup) =>
      g.tools === undefined ? { ...g, read_only: readOnly(g.server, g.tool) } : g,
    ),
  };
}

/** `server.tool` of each tool the attempt called that is not read-only and was not refused before it ran. */
export function sideEffects(calls: readonly ToolCallRecord[], readOnly: ReadOnly): string[] {
  const names = new Set<string>();
  for (const c of calls) if (c.status !== "rejected" && !readOnly(c.server, c.tool)) names.add(`${c.server}.${c.tool}`);
  return [...names];
}
