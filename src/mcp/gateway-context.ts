/** What the gateway's MCP tools need from the session that serves them. */
import type { RequestStateCodec } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { GatewayConfig } from "../config";
import type { TaskModels } from "../planning/model-client";
import type { Registry } from "../registry/registry";
import type { ApprovalActor } from "../sandbox/approval";
import type { ExecuteResult } from "../sandbox/execution-types";
import type { ToolExtra } from "../session/notifier";
import type { UserServerOps } from "../session/user-server-ops";
import type { ScopeEntry } from "../scope/scope-store";
import type { SkillService } from "../skills/skill-service";
import type { SkillVersion } from "../skills/skill-types";
import type { ContextSummary } from "../user/user-contexts";
import type { ExecutionRecord, ExecutionSummary } from "../user/user-types";
import type { ObservedTypes } from "../typecheck/observed-types";
import type { SemanticSearch } from "./catalog-search";
import type { ApprovalState } from "./request-state";

export interface GatewayContext {
  registry: Registry;
  /** The gateway's configuration (`allow_direct_tool_calls`, limits); absent in contexts that need neither. */
  config?: GatewayConfig;
  /** Embedding ranking fused into search_tools, when `embeddings` is configured. */
  semantic?: SemanticSearch;
  /** The models of run_task, when `models` is configured (src/planning). */
  models?: TaskModels | undefined;
  /** The user's execution history (every session's executions), kept in the user object. */
  history: {
    list(limit: number): Promise<ExecutionSummary[]>;
    get(id: string): Promise<ExecutionRecord | undefined>;
  };
  /** Result types observed for tools without outputSchema (shown by get_tool_details). */
  observed?: ObservedTypes;
  skills: SkillService;
  /** `extra` is the MCP request being served: progress, log notifications and elicitation go to its stream. */
  execute(code: string, timeoutMs: number | undefined, extra?: ToolExtra): Promise<ExecuteResult>;
  /** Runs a skill version (input already validated) as its own recorded execution. */
  runSkill(skill: SkillVersion, input: unknown, extra?: ToolExtra): Promise<ExecuteResult>;
  /**
   * Resumes an execution suspended for approval; a string is why the handle cannot be used. `by` is who decided, for
   * the audit (approve_call / deny_call when absent).
   */
  approveCall(handle: string, extra?: ToolExtra, by?: ApprovalActor): Promise<ExecuteResult | string>;
  denyCall(handle: string, by?: ApprovalActor): Promise<ExecuteResult | string>;
  /** The session's carried top-level bindings (get_context, reset_context); absent where nothing is carried. */
  scope?: { list(): ScopeEntry[]; reset(): number };
  /**
   * Set when serving an MCP 2026-07-28 request: the context it runs in. The execution tools then take a `context`
   * argument (read by the Worker to route the request, src/session/context-route.ts) and their results name it.
   */
  context?: string;
  /** The user's contexts (2026-07-28 only; list_executions shows them). */
  contexts?: (limit: number) => Promise<ContextSummary[]>;
  /** add_server, authorize_server, remove_server (absent where user servers do not apply). */
  userServers?: UserServerOps;
  /** Signs and verifies the request state of `input_required` approvals (2026-07-28 only). */
  requestState?: RequestStateCodec<ApprovalState>;
}

/** The optional `context` argument, in the schemas of 2026-07-28 servers only (2025 sessions are their context). */
export function contextArg(ctx: GatewayContext): Record<string, z.ZodOptional<z.ZodString>> {
  return ctx.context === undefined ? {} : { context: z.string().max(64).optional() };
}
