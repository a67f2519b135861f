/**
 * @module user/sign-in-wait
 * approve_call (and the dashboard's Resume) on the handle of an execution that stopped for a sign-in to one of the
 * user's servers. Before the user has signed in, re-running the code would only stop at the same call again (and,
 * in a session object woken without its origin, without a link). So the handle is checked first: while the sign-in
 * has not happened (src/user/oauth/awaited-sign-in.ts) nothing re-runs, the handle stays pending, and the answer
 * says what is still needed, with the link (the handle's own while its sign-in is pending) and, for a step-up, the
 * scopes missing.
 */
import { signInNeeded } from "../registry/step-up-scope";
import type { ExecuteResult } from "../sandbox/execution-types";
import type { OAuthConnections } from "./oauth/oauth-connections";
import type { UserServerRow } from "./user-servers";
import type { PendingApproval, SignInNow, SignInStillNeeded } from "./user-types";

/** A pending handle as the user object reads it before taking it. */
export interface PeekedHandle {
  call: Omit<PendingApproval, "handle" | "created_at">;
  createdAt: number;
}

/**
 * What is still needed before `handle` can resume, or undefined when it may (an approval, a sign-in done since, or
 * a server that no longer signs in with OAuth: the re-run then says what became of it). `origin` is the gateway's
 * origin the approval came from, where a new link points.
 */
export async function signInWait(
  handle: string,
  peeked: PeekedHandle | undefined,
  origin: string | undefined,
  deps: { row(name: string): UserServerRow | undefined; oauth: OAuthConnections },
): Promise<SignInStillNeeded | undefined> {
  const awaited = peeked?.call.authorization;
  if (!peeked || !awaited) return undefined;
  const { server, tool, execution_id } = peeked.call;
  const row = deps.row(server);
  if (row?.auth_type !== "oauth") return undefined;
  const from = origin || (awaited.url && URL.canParse(awaited.url) ? new URL(awaited.url).origin : "");
  const still = await deps.oauth.awaitedSignIn(
    { server, serverUrl: row.url, origin: from },
    {
      ...(awaited.url ? { url: awaited.url } : {}),
      ...(awaited.scope ? { scope: awaited.scope } : {}),
      since: peeked.createdAt,
      tool,
    },
  );
  if (!still) return undefined;
  return { still_waiting: { handle, server, tool, ...still, ...(execution_id ? { execution_id } : {}) } };
}

/**
 * A listed handle's sign-in checked against the server as it is now, for the dashboard: the link the execution gave
 * is kept only while it still opens a sign-in (a server removed and added again dropped its flows), else a pending
 * sign-in of the server replaces it, else `now` says what became of it. Starts no sign-in.
 */
export function signInNow(
  approval: PendingApproval,
  origin: string | undefined,
  deps: { row(name: string): UserServerRow | undefined; oauth: OAuthConnections },
): PendingApproval {
  const awaited = approval.authorization;
  if (!awaited) return approval;
  const { url, ...rest } = awaited;
  const without = (now: SignInNow): PendingApproval => ({ ...approval, authorization: { ...rest, now } });
  const row = deps.row(approval.server);
  if (!row) return without("removed");
  if (row.auth_type !== "oauth") return without("no_sign_in");
  const from = origin || (url && URL.canParse(url) ? new URL(url).origin : "");
  const found = deps.oauth.signInNow(
    { server: approval.server, serverUrl: row.url, origin: from },
    {
      ...(url ? { url } : {}),
      ...(awaited.scope ? { scope: awaited.scope } : {}),
      since: Date.parse(approval.created_at),
    },
  );
  if ("signed_in" in found) return without("signed_in");
  return found.url ? { ...approval, authorization: { ...rest, url: found.url } } : without("link_gone");
}

/** approve_call's answer while the sign-in is still needed: shaped as the stopped execution's, nothing run. */
export function stillWaitingResult(w: SignInStillNeeded["still_waiting"]): ExecuteResult {
  const { handle, server, tool, authorization_url: url, scope } = w;
  return {
    ok: false,
    execution_id: w.execution_id ?? "",
    logs: [],
    tool_calls: [],
    duration_ms: 0,
    error: {
      kind: "authorization_required",
      message: `${signInNeeded(server, url, scope)}: the user has not signed in yet, so nothing ran again. The handle ${handle} stays valid: call approve_call with it once they have.`,
    },
    status: "authorization_required",
    authorization: { server, tool, ...(url ? { authorization_url: url } : {}), ...(scope ? { scope } : {}), handle },
  };
}
