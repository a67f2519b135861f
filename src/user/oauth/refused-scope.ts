/**
 * @module user/oauth/refused-scope
 * A sign-in the authorization server refused with `invalid_scope` (to the authorization request, or to the token
 * request after consent). Every sign-in asks for the scopes the server needs (its challenge's) together with those
 * granted before and those waiting step-ups asked for (src/user/oauth/sign-in-scope.ts); an authorization server
 * that has since stopped granting one of those wider scopes refuses the whole request, and the user could never
 * sign in again. So when the refused sign-in asked for more than the server needs:
 *
 * - the scopes it asked for beyond those are recorded on the grant as refused: no sign-in adds them again (unless a
 *   challenge names them) until one grants them;
 * - one sign-in with only the scopes the server needs is started, and the callback page offers its link, saying
 *   which scopes the authorization server no longer grants; while the grant waits for a sign-in, list_servers says
 *   so too, and the next call's link is this one. A step-up stays a step-up, for the same tools, asking for the
 *   challenged scopes and those the server asks of every token (its challenge to a request without one), so the
 *   narrower token still serves the server's other tools.
 *
 * The new sign-in asks for nothing beyond what it needs, so its own refusal is final: at most one narrowing per
 * sign-in the user started, never a loop.
 */
import { missingScope, scopePhrase } from "../../registry/step-up-scope";
import { userUrlRefusal } from "../user-servers";
import type { OAuthContext } from "./oauth-context";
import { type FlowRow, stepUpTools } from "./oauth-flow-store";
import { probeChallenge, START_AGAIN, startFlow } from "./oauth-flows";
import { scopeSet, scopeTokens } from "./sign-in-scope";
import { flowOfLink } from "./step-up";

/** Scopes the MCP SDK adds to an authorization request itself: never counted as asked for beyond the needed ones. */
const ADDED_BY_CLIENT = new Set(["offline_access"]);

/** The scopes `flow` asked for beyond those it needed (none for a flow stored before those were kept). */
export function askedBeyond(flow: Pick<FlowRow, "scope" | "required">): string[] {
  if (flow.required === null) return [];
  const required = new Set(scopeTokens(flow.required));
  return [...new Set(scopeTokens(flow.scope))].filter((s) => !required.has(s) && !ADDED_BY_CLIENT.has(s));
}

/** `scopes "a" "b"`, or `some of scopes "a" "b"` (invalid_scope does not say which ones), bounded. */
function refusedPhrase(beyond: readonly string[]): string {
  const phrase = scopePhrase(missingScope(beyond.join(" ")) ?? "");
  return beyond.length > 1 ? `some of ${phrase}` : phrase;
}

/** What the server needs, as a message names it: `scope "mcp"`, or `what demo needs` when no scope was named. */
function neededPhrase(server: string, required: string): string {
  const named = missingScope(required);
  return named ? scopePhrase(named) : `what ${server} needs`;
}

/**
 * Takes up `flow`'s `invalid_scope` refusal (see the module comment): the callback page's message (`error`, the
 * authorization server's words) and, when the flow asked for more than needed and `serverUrl` (the server's URL
 * now) is still the flow's, the link of the one narrower sign-in.
 */
export async function narrowAfterRefusal(
  ctx: OAuthContext,
  flow: FlowRow,
  error: string,
  serverUrl: string | undefined,
): Promise<{ error: string; retry?: string }> {
  const { server } = flow;
  if (flow.required === null) return { error: `${error}: ${START_AGAIN}.` };
  const here = serverUrl === flow.server_url && !userUrlRefusal(flow.server_url, ctx.config);
  // A step-up's challenge may name only the scope it lacks: the scope the server asks of every token (its challenge
  // to a request without one) is needed too.
  const base = flow.step_up && here ? (await probeChallenge(flow.server_url, ctx.fetch)).scope : undefined;
  const required = scopeSet(flow.required, [base]);
  const beyond = askedBeyond({ scope: flow.scope, required });
  if (beyond.length === 0) {
    return {
      error: `${error}. It refused ${neededPhrase(server, required)}, which ${server} itself asks for: signing in again does not help until ${server} or its authorization server changes.`,
    };
  }
  const refusedNow = refusedPhrase(beyond);
  const why = `${server}'s authorization server refused this sign-in (invalid_scope): it no longer grants ${refusedNow}, which you had granted before or a waiting tool asked for`;
  if (serverUrl !== flow.server_url)
    return { error: `${why}. ${server} was removed or changed since: ${START_AGAIN}.` };
  const grant = ctx.store.grant(server);
  if (grant?.server_url === flow.server_url) {
    ctx.store.saveGrant(server, flow.server_url, {
      refused_scopes: scopeSet(grant.refused_scopes, [beyond.join(" ")]) || null,
      // A refused step-up is told in its own entry (its tools, its new link); a plain sign-in on the grant.
      ...(flow.step_up
        ? {}
        : {
            // Told in words, not as a reason code: a code an earlier expiry left would be worded instead of this.
            reason: null,
            reason_detail: null,
            message: `the authorization server no longer grants ${refusedNow} (a sign-in asking for it was refused with invalid_scope): the user must sign in again, through the sign-in started instead, which asks only for ${neededPhrase(server, required)} (authorize_server gives its link)`,
          }),
    });
  }
  const resourceMetadataUrl = discoveredMetadataUrl(flow.discovery);
  const started = await startFlow(
    ctx,
    { server, serverUrl: flow.server_url, origin: flow.origin },
    { ...(required ? { scope: required } : {}), ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}) },
    { exact: true, ...(flow.step_up ? { stepUp: { wanted: required } } : {}) },
  );
  if (!started.ok) {
    return {
      error: `${why}. A sign-in with only ${neededPhrase(server, required)} could not start (${started.error}): ${START_AGAIN}.`,
    };
  }
  const id = flowOfLink(started.authorization_url);
  if (id && flow.step_up) for (const tool of stepUpTools(flow.tools)) ctx.store.noteStepUpTool(id, tool);
  return {
    error: `${why}. Sign in again with only ${neededPhrase(server, required)}: tools that need more will ask for it.`,
    retry: started.authorization_url,
  };
}

/** The protected resource metadata URL a flow's discovery used, if it recorded one. */
function discoveredMetadataUrl(discovery: string): string | undefined {
  try {
    const url = (JSON.parse(discovery) as { resourceMetadataUrl?: unknown }).resourceMetadataUrl;
    return typeof url === "string" && URL.canParse(url) ? url : undefined;
  } catch {
    return undefined;
  }
}
