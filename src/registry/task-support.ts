/**
 * @module registry/task-support
 * Tools that can only run as MCP tasks (`execution: { taskSupport: "required" }`, SEP-1686): the upstream answers
 * a plain `tools/call` of one with an error (-32601). The gateway calls every tool with a plain `tools/call` and
 * does not implement tasks (`tasks/get`, `tasks/result`), so such a tool is listed with a note saying so, a program
 * that imports one by name is refused when it is prepared (src/sandbox/prepare-imports.ts), before the isolate runs,
 * and a call (through a namespace import, or call_tool) is refused before it reaches the upstream.
 */
import type { UpstreamTool } from "./registry-types";

/** What discovery says of a tool that needs tasks. */
export const NEEDS_TASKS_NOTE = "it needs MCP tasks, which the gateway does not support yet";

/** Whether the upstream declared that the tool can only be called as a task (untrusted: anything else is no). */
export function requiresTasks(tool: UpstreamTool): boolean {
  const execution = (tool as { execution?: unknown }).execution;
  return (
    typeof execution === "object" &&
    execution !== null &&
    (execution as { taskSupport?: unknown }).taskSupport === "required"
  );
}

const WHY = `${NEEDS_TASKS_NOTE} (the upstream declares execution.taskSupport "required" and refuses plain calls)`;

/** The refusal of a call to `label` (`server.tool`), a tool that needs tasks. */
export function needsTasksError(label: string): string {
  return `${label} cannot be called through the gateway: ${WHY}`;
}

/** The refusal of a program that imports `name`, a tool that needs tasks, from `specifier` (`servers/<id>`). */
export function importNeedsTasksError(specifier: string, name: string): string {
  return `Cannot import "${name}" from "${specifier}": the tool cannot be called through the gateway: ${WHY}. Leave it out of the program.`;
}
