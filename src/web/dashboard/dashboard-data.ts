/**
 * @module web/dashboard/dashboard-data
 * Typed reads and writes of the dashboard, each in the signed-in user's own objects only: the user object
 * (history, approvals, skill runs) and the user's dashboard session object (catalog, tools, skills). Nothing here
 * takes a user id from the request: the caller passes the web session's user.
 */
import type { Context } from "hono";
import type { Env } from "../../env";
import type { ToolCallRecord } from "../../sandbox/execution-types";
import type { Checked } from "../../skills/skill-check";
import type { SkillSummary } from "../../skills/skill-service";
import type { ExecutionPage, SkillRuns } from "../../user/execution-history";
import { userObject } from "../../user/user-api";
import type { ExecutionRecord, ExecutionStatus, PendingApproval } from "../../user/user-types";
import type { DashboardRequest, ServerView, SkillDetail, ToolPage } from "./dashboard-ops";
import { dashboardSession, historySession } from "./dashboard-session";

/** The gateway's origin as the page request reached it. */
export const originOf = (c: Context) => new URL(c.req.url).origin;

/** Executions per page of the history. */
export const EXECUTIONS_PER_PAGE = 25;
/** Approvals listed (the user object keeps at most 1,000 handles, most of them used). */
export const APPROVALS_LISTED = 100;

/** Asks the user's dashboard object; `origin` is the gateway's (sign-in links of the user's servers). */
const ask = <T>(env: Env, user: string, request: DashboardRequest, origin: string) =>
  dashboardSession(env, user).dashboard(user, request, origin) as unknown as Promise<T>;

export const dashboardData = {
  servers: (env: Env, user: string, origin: string, refresh = false) =>
    ask<ServerView[]>(env, user, { op: "servers", refresh }, origin),
  tools: (
    env: Env,
    user: string,
    origin: string,
    q: { query?: string; server?: string; offset: number; limit: number },
  ) => ask<ToolPage>(env, user, { op: "tools", ...q }, origin),
  skills: (env: Env, user: string, origin: string) => ask<SkillSummary[]>(env, user, { op: "skills" }, origin),
  skill: (env: Env, user: string, origin: string, name: string) =>
    ask<SkillDetail>(env, user, { op: "skill", name }, origin),
  rollback: (env: Env, user: string, origin: string, name: string, version: number) =>
    ask<Checked<{ version: number }>>(env, user, { op: "rollback", name, version }, origin),
  deleteSkill: (env: Env, user: string, origin: string, name: string) =>
    ask<Checked<number>>(env, user, { op: "delete", name }, origin),

  executions: (env: Env, user: string, q: { status?: ExecutionStatus; before?: number }) =>
    userObject(env, user).pageExecutions({ limit: EXECUTIONS_PER_PAGE, ...q }) as unknown as Promise<ExecutionPage>,
  execution: (env: Env, user: string, id: string) =>
    userObject(env, user).getExecution(id) as unknown as Promise<ExecutionRecord | undefined>,
  approvals: (env: Env, user: string, origin?: string) =>
    userObject(env, user).pendingApprovals(APPROVALS_LISTED, origin) as unknown as Promise<PendingApproval[]>,
  skillRuns: (env: Env, user: string) => userObject(env, user).skillRuns() as unknown as Promise<SkillRuns[]>,

  /** The tool calls so far of one of the user's running executions (undefined once it has ended). */
  async liveCalls(
    env: Env,
    user: string,
    id: string,
  ): Promise<{ calls: ToolCallRecord[]; elapsed_ms: number } | undefined> {
    const session = await userObject(env, user).executionSession(id);
    // The history names the user's own session objects only; checked anyway, as the name decides whose object it is.
    if (!session?.startsWith(`${user}:`)) return undefined;
    return (await historySession(env, session).liveCalls(id)) as
      | { calls: ToolCallRecord[]; elapsed_ms: number }
      | undefined;
  },
};
