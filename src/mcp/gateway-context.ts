/** What the gateway's MCP tools need from the session that serves them. */
import type { GatewayConfig } from "../config";
import type { Registry } from "../registry/registry";
import type { ExecuteResult } from "../sandbox/execution-types";
import type { ExecutionHistory } from "../session/execution-history";
import type { SkillService } from "../skills/skill-service";
import type { SkillVersion } from "../skills/skill-types";

export interface GatewayContext {
  registry: Registry;
  /** The gateway's configuration (`allow_direct_tool_calls`, limits); absent in contexts that need neither. */
  config?: GatewayConfig;
  history: ExecutionHistory;
  skills: SkillService;
  execute(code: string, timeoutMs: number | undefined): Promise<ExecuteResult>;
  /** Runs a skill version (input already validated) as its own recorded execution. */
  runSkill(skill: SkillVersion, input: unknown): Promise<ExecuteResult>;
}
