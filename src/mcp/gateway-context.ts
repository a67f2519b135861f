/** What the gateway's MCP tools need from the session that serves them. */
import type { Registry } from "../registry/registry";
import type { ExecuteResult } from "../sandbox/execution-types";
import type { ExecutionHistory } from "../session/execution-history";

export interface GatewayContext {
  registry: Registry;
  history: ExecutionHistory;
  execute(code: string, timeoutMs: number | undefined): Promise<ExecuteResult>;
}
