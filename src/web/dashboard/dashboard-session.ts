/**
 * @module web/dashboard/dashboard-session
 * The session object that serves the dashboard's catalog and skill requests for one user, and the running
 * executions the pages watch. The dashboard's own object is named `<user>:~dashboard`: `~` never occurs in a
 * session id (the SDK mints UUIDs) or a context id the Worker mints, so it is never an MCP session of the user's.
 */
import type { Env } from "../../env";
import type { SessionObject } from "../../session/session-object";
import { sessionObjectName } from "../../session/session-headers";

/** The session id of the dashboard's object. */
export const DASHBOARD_SESSION = "~dashboard";

/** The RPC methods the dashboard uses. */
export type DashboardSessionApi = Pick<SessionObject, "dashboard" | "liveCalls" | "resumeApproved">;

/** The user's dashboard object (catalog, tools, skills). */
export function dashboardSession(env: Env, user: string): DashboardSessionApi {
  return env.SESSION.getByName(sessionObjectName(user, DASHBOARD_SESSION)) as unknown as DashboardSessionApi;
}

/** A session object of the user's history (`<user>:<session>`), where a running execution can be watched. */
export function historySession(env: Env, name: string): DashboardSessionApi {
  return env.SESSION.getByName(name) as unknown as DashboardSessionApi;
}
