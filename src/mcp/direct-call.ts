/**
 * @module mcp/direct-call
 * One upstream call made outside `execute_code`, with the host-side checks every call from code gets: the tool must
 * be in the catalog (allow/deny applied), its approval policy must be "allow" (a direct call cannot pause for
 * approval, so "ask" is refused and points at execute_code, which asks), arguments are validated against its schema,
 * the per-server timeout and concurrency hold, secrets are redacted (by the connection), and the result is capped at
 * `max_tool_result_bytes`. Used by `call_tool` and by the built-in servers' public routes (src/servers/builtin-route.ts).
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { Limits } from "../config";
import type { Registry } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import { needsTasksError } from "../registry/task-support";
import { isUpstreamTimeout, toolCallFailure, toolCallTimeout, toolTimeoutMessage } from "../registry/upstream-errors";
import { approvalPolicy } from "../sandbox/approval";
import { validateArgs } from "../sandbox/validate-args";
import { errorResult } from "./tool-result";

/** Runs `def` with `args` after the checks above; every refusal and failure is an `isError` result. */
export async function directCall(
  registry: Registry,
  def: CatalogTool,
  args: Record<string, unknown>,
  limits: Limits,
): Promise<CallToolResult> {
  if (def.needsTasks) return errorResult(needsTasksError(`${def.server}.${def.id}`));
  const conn = registry.connection(def.server)!;
  const policy = approvalPolicy(conn.config, def);
  if (policy !== "allow") {
    return errorResult(
      policy === "deny"
        ? `${def.server}.${def.id} is denied by the gateway's approval policy`
        : `${def.server}.${def.id} needs approval: call it from execute_code, which asks the user first`,
    );
  }
  const invalid = validateArgs(def, args);
  if (invalid) return errorResult(`${def.server}.${def.id}: ${invalid} (get_tool_details shows its types)`);
  const timeout = toolCallTimeout(conn.config, limits);
  let result: CallToolResult;
  try {
    result = await conn.callTool(def.name, args, timeout.ms);
  } catch (err) {
    return errorResult(
      isUpstreamTimeout(err)
        ? toolTimeoutMessage(`${def.server}.${def.id}`, timeout)
        : toolCallFailure(`${def.server}.${def.id}`, err),
    );
  }
  const bytes = JSON.stringify(result).length;
  if (bytes > limits.max_tool_result_bytes) {
    return errorResult(
      `${def.server}.${def.id} returned ${bytes} bytes, over max_tool_result_bytes (${limits.max_tool_result_bytes}); use execute_code to keep only what you need`,
    );
  }
  return result;
}
