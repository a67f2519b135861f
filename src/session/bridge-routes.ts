/**
 * @module session/bridge-routes
 * Where an execution's bridge (src/sandbox/tool-bridge.ts) lands in its session object: each tool call and gateway
 * operation goes to the live execution it belongs to, and is refused once that execution has ended. Gateway
 * operations are counted against the execution's limit, parsed, and answered from the session's stores
 * (src/session/gateway-ops.ts); notification batches go to the execution's notifications.
 */
import { parseBridgeJson } from "../sandbox/bridge-json";
import type { BridgeReply } from "../sandbox/execution-types";
import type { LiveExecution } from "../sandbox/live-execution";
import { type GatewayOpsDeps, gatewayOp } from "./gateway-ops";

/** One tool call a sandbox makes, for its execution `live` (undefined when it is not running here). */
export async function bridgeToolCall(
  live: LiveExecution | undefined,
  server: string,
  tool: string,
  argsJson: string,
): Promise<BridgeReply> {
  if (!live || live.ended) {
    return {
      ok: false,
      status: "rejected",
      error: `${server}.${tool} was called after the execution ended; await every tool call before returning`,
    };
  }
  return live.callTool(server, tool, argsJson);
}

/** One `gateway` module operation or notification batch; `stores` gives what an operation reads and writes. */
export async function bridgeHostOp(
  live: LiveExecution | undefined,
  op: string,
  argsJson: string,
  stores: () => GatewayOpsDeps,
): Promise<BridgeReply> {
  if (!live || live.ended) {
    return { ok: false, status: "rejected", error: `gateway ${op} was called after the execution ended` };
  }
  if (op === "notify") return live.notify(argsJson);
  const over = live.countHostOp();
  if (over) return { ok: false, status: "rejected", error: over };
  try {
    const args = parseBridgeJson(argsJson) as Record<string, unknown>;
    const value = await gatewayOp(op, args ?? {}, live, stores());
    return { ok: true, ...(value === undefined ? {} : { value: JSON.stringify(value) }) };
  } catch (err) {
    return { ok: false, status: "error", error: (err as Error).message };
  }
}
