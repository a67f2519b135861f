/**
 * @module web/dashboard/approval-actions
 * Approve and deny from the dashboard, with the rules of approve_call and deny_call: the handle must be the
 * user's and pending (taken once, in the user object), and the decision is audited as `user (dashboard)`. An
 * approved execution re-runs in the background in the session or context that ran it (where its `state` lives),
 * is recorded in the history like any run, and the handle and the stopped execution's record name the re-run as it
 * starts, so that approve_call, get_execution and list_executions lead the agent to the outcome.
 */
import type { Env } from "../../env";
import { morePermission } from "../../registry/step-up-scope";
import type { ExecuteResult } from "../../sandbox/execution-types";
import { userObject } from "../../user/user-api";
import type { ApprovedExecution, SignInStillNeeded } from "../../user/user-types";
import { historySession } from "./dashboard-session";

export const HANDLE_FORMAT = /^apr_[0-9a-f]{32}$/;
const BY = "user (dashboard)" as const;

export type ApprovalOutcome = { ok: true; message: string } | { ok: false; error: string };

/**
 * Approves `handle`; the re-run goes on after the response (`background` keeps it alive: the Worker's waitUntil).
 */
export async function approveFromDashboard(
  env: Env,
  user: string,
  handle: string,
  background: (work: Promise<unknown>) => void,
  origin?: string,
): Promise<ApprovalOutcome> {
  if (!HANDLE_FORMAT.test(handle)) return { ok: false, error: `"${handle}" is not an approval handle` };
  const taken = (await userObject(env, user).approveCall(handle, BY, origin)) as unknown as
    | ApprovedExecution
    | SignInStillNeeded
    | string;
  if (typeof taken === "string") return { ok: false, error: taken };
  if ("still_waiting" in taken) {
    const w = taken.still_waiting;
    const where = w.authorization_url ? ` at ${w.authorization_url}` : " (Connect on the connections page)";
    return {
      ok: false,
      error: `You have not signed in to ${w.server} yet${w.scope ? ` to grant ${morePermission(w.scope)}` : ""}: sign in${where}, then Resume.`,
    };
  }
  if (!taken.session.startsWith(`${user}:`)) return { ok: false, error: "that execution is not yours" };
  background(rerun(env, user, taken));
  return {
    ok: true,
    message: `Approved ${taken.pending.server}.${taken.pending.tool}: the execution is re-running in its session; it appears under Executions.`,
  };
}

async function rerun(env: Env, user: string, taken: ApprovedExecution): Promise<void> {
  try {
    await historySession(env, taken.session).resumeApproved(taken);
  } catch (err) {
    // The object refused it: give the handle back so that approve_call can still use it (unless its re-run started).
    console.error("dashboard approval re-run failed", err);
    await userObject(env, user).reopenApproval(taken.handle);
  }
}

/**
 * A new sign-in link for `handle`, whose own no longer opens one (src/user/sign-in-wait.ts): the pending sign-in for
 * what it waits for, else a new one (bounded as every sign-in: a pending one is reused), which the approvals page
 * then lists with the call. `link` undefined: nothing is needed any more (the page says why).
 */
export async function renewSignInLink(
  env: Env,
  user: string,
  handle: string,
  origin: string,
): Promise<{ ok: true; link?: string } | { ok: false; error: string }> {
  if (!HANDLE_FORMAT.test(handle)) return { ok: false, error: `"${handle}" is not an approval handle` };
  const still = (await userObject(env, user).renewSignIn(handle, origin)) as unknown as SignInStillNeeded | undefined;
  if (!still) return { ok: true };
  const url = still.still_waiting.authorization_url;
  // Only a sign-in link of this gateway is followed (the flow starts at its /connections/authorize).
  if (url && URL.canParse(url) && new URL(url).origin === origin) return { ok: true, link: url };
  return {
    ok: false,
    error: `A new sign-in to ${still.still_waiting.server} could not start now: try again, or Connect it on the connections page, then Resume.`,
  };
}

/** Denies `handle`: the execution is cancelled and recorded, as deny_call does. */
export async function denyFromDashboard(env: Env, user: string, handle: string): Promise<ApprovalOutcome> {
  if (!HANDLE_FORMAT.test(handle)) return { ok: false, error: `"${handle}" is not an approval handle` };
  const result = (await userObject(env, user).denyCall(handle, BY)) as unknown as ExecuteResult | string;
  if (typeof result === "string") return { ok: false, error: result };
  return { ok: true, message: `Denied: execution ${result.execution_id} is cancelled.` };
}
