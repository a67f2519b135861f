/**
 * @module sandbox/call-upstream
 * One tool call of an execution sent upstream, once src/sandbox/live-execution.ts has let it through: bounded by its
 * timeout, its result redacted and held to max_tool_result_bytes, and its failure told in words the agent can act
 * on. A missing or expired sign-in comes back as the error itself: nothing was sent.
 */
import { redactValue } from "../auth/redact";
import type { Limits } from "../config";
import { AuthorizationRequiredError, authorizationCause } from "../registry/authorization-required";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import { toToolOutcome } from "../registry/tool-result";
import type { UpstreamConnection } from "../registry/upstream";
import { isUpstreamTimeout, toolCallFailure, toolCallTimeout, toolTimeoutMessage } from "../registry/upstream-errors";
import type { BridgeReply } from "./execution-types";

const TRUNCATION_MARKER = "…[truncated:";

/** What a call reads of its execution: the limits, and who sees each successful result (with its tool). */
export interface CallUpstreamDeps {
  catalog: Catalog;
  limits: Limits;
  observe?: (tool: CatalogTool, value: unknown) => void;
}

/** Sends one call; a missing or expired sign-in comes back as the error itself (nothing was sent). */
export async function callUpstream(
  conn: UpstreamConnection,
  server: string,
  tool: string,
  args: Record<string, unknown>,
  deps: CallUpstreamDeps,
): Promise<BridgeReply | AuthorizationRequiredError> {
  const timeout = toolCallTimeout(conn.config, deps.limits);
  try {
    const outcome = toToolOutcome(await conn.callTool(tool, args, timeout.ms));
    if (!outcome.ok) return { ok: false, status: "error", error: `${server}.${tool} failed: ${outcome.message}` };
    // The result was redacted as received; text parsed as JSON here is a decoding of it, so it is checked again.
    const value = capValue(server, tool, redactValue(outcome.value, conn.secrets), deps.limits);
    if (!value.ok) return { ok: false, status: "error", error: value.error };
    const def = deps.observe && deps.catalog.byName.get(server)?.byUpstreamName.get(tool);
    if (def) deps.observe!(def, outcome.value);
    return { ok: true, ...(value.json === undefined ? {} : { value: value.json }) };
  } catch (err) {
    const auth = authorizationCause(err);
    if (auth instanceof AuthorizationRequiredError) return auth;
    if (isUpstreamTimeout(err)) {
      return { ok: false, status: "timeout", error: toolTimeoutMessage(`${server}.${tool}`, timeout) };
    }
    return { ok: false, status: "error", error: toolCallFailure(`${server}.${tool}`, err) };
  }
}

/** Applies max_tool_result_bytes: text is cut with a visible marker; structured data over the cap is an error. */
function capValue(
  server: string,
  tool: string,
  value: unknown,
  limits: Limits,
): { ok: true; json?: string } | { ok: false; error: string } {
  if (value === undefined) return { ok: true };
  const max = limits.max_tool_result_bytes;
  if (typeof value === "string" && value.length > max) {
    const cut = `${value.slice(0, max)}${TRUNCATION_MARKER} ${value.length} characters; max_tool_result_bytes is ${max}]`;
    return { ok: true, json: JSON.stringify(cut) };
  }
  const json = JSON.stringify(value);
  if (json.length > max) {
    return {
      ok: false,
      error: `${server}.${tool} returned ${json.length} bytes, over max_tool_result_bytes (${max}); ask for less (filters, pagination)`,
    };
  }
  return { ok: true, json };
}
