/**
 * @module user/oauth/awaited-sign-in
 * Whether the user has signed in since an execution stopped for it: approve_call on a sign-in handle
 * (`authorization_required`) resumes the code only then (src/user/sign-in-wait.ts). Signed in means a sign-in to the
 * server completed after the handle was made, or through the handle's own link; for a step-up (the handle names the
 * scopes that were missing) the grant must also hold those scopes now: a user who unticked one at the authorization
 * server has not granted it.
 */

import { wholeScopes } from "../../registry/step-up-scope";
import { FLOW_PENDING, FLOW_USED } from "./oauth-flow-store";
import { authorizationUrl, type FlowTarget, pendingLink } from "./oauth-flows";
import type { OAuthStore } from "./oauth-store";
import { grantedScopes } from "./sign-in-scope";
import { flowOfLink, stepUpWanted } from "./step-up";

/** The sign-in an execution stopped for, as its handle recorded it. */
export interface AwaitedSignIn {
  /** The link the execution gave. */
  url?: string;
  /** A step-up: the scopes that were missing, bounded (src/registry/step-up-scope.ts). */
  scope?: string;
  /** When the handle was made (ms since the epoch). */
  since: number;
}

/** See the module comment. */
export function signedInSince(
  store: OAuthStore,
  target: { server: string; serverUrl: string },
  awaited: AwaitedSignIn,
): boolean {
  const grant = store.grant(target.server);
  if (!grant || grant.server_url !== target.serverUrl || grant.status !== "connected" || !grant.tokens) return false;
  const id = flowOfLink(awaited.url);
  const flow = id ? store.flow(id) : undefined;
  const ownLink = flow?.server === target.server && flow.server_url === target.serverUrl && flow.used === FLOW_USED;
  if (!ownLink && (grant.authorized_at ?? 0) < awaited.since) return false;
  if (!awaited.scope) return true;
  const granted = new Set((grant.scopes ?? "").split(/\s+/));
  return wholeScopes(awaited.scope).every((s) => granted.has(s));
}

/**
 * The challenge to step up with again for a handle whose step-up is still to be granted: the scopes its flow needed
 * (the upstream's challenge) while that flow is known, else the scopes the handle names whole. The step-up adds the
 * granted ones again (src/user/oauth/step-up.ts), without any the authorization server has refused since.
 */
export function awaitedChallenge(
  store: OAuthStore,
  target: { server: string; serverUrl: string },
  awaited: AwaitedSignIn,
): string | undefined {
  const id = flowOfLink(awaited.url);
  const flow = id ? store.flow(id) : undefined;
  const ours = flow?.step_up && flow.server === target.server && flow.server_url === target.serverUrl;
  const asked = ours ? flow.required || flow.wanted || flow.scope : undefined;
  return asked || wholeScopes(awaited.scope).join(" ") || undefined;
}

/**
 * A link that opens the sign-in a handle waits for now, found without starting a flow (a page view must not): the
 * handle's own while its flow is pending for the server at its current URL (removing a server drops its flows, so
 * the link of a server removed and added again opens "not usable"), else the pending sign-in a new one would reuse
 * (OAuthConnections.awaitedSignIn): for a step-up, the pending step-up for the same scopes, or with nothing granted
 * at the server's URL a pending plain sign-in that also asks for them; else the server's pending plain sign-in.
 * None: the dashboard offers to start one (POST).
 */
export function openSignInLink(store: OAuthStore, target: FlowTarget, awaited: AwaitedSignIn): string | undefined {
  const id = flowOfLink(awaited.url);
  const flow = id ? store.flow(id) : undefined;
  const open =
    flow?.used === FLOW_PENDING &&
    flow.expires_at > Date.now() &&
    flow.server === target.server &&
    flow.server_url === target.serverUrl;
  if (open) return awaited.url;
  if (!awaited.scope) return pendingLink(store, target);
  const challenge = awaitedChallenge(store, target, awaited);
  const granted = grantedScopes(store, target);
  if (!granted) return pendingLink(store, target, challenge);
  const { server, serverUrl, origin } = target;
  const stepUp = store.pendingStepUp(server, serverUrl, origin, stepUpWanted(granted, challenge), Date.now());
  return stepUp ? authorizationUrl(origin, stepUp) : undefined;
}
