/**
 * @module user/oauth/oauth-flows
 * The three steps of signing a user in to an upstream server, on the MCP SDK's `auth()`:
 *
 * - {@link startFlow} (add_server on a 401, authorize_server, step-up on `insufficient_scope`): protected resource
 *   metadata from the challenge's `resource_metadata` (probing the server for a challenge when the caller has
 *   none), then the well-known locations; authorization server metadata (RFC 8414, then OpenID discovery); the
 *   client identity (src/user/oauth/client-identity.ts); PKCE S256, `state`, `resource` (RFC 8707) and the scope
 *   (the challenge's, else `scopes_supported`, with the granted scopes and, for a plain sign-in, those of the
 *   step-ups waiting: src/user/oauth/sign-in-scope.ts). It stores the flow and answers with a GATEWAY link, so the user
 *   must be signed in to the gateway as this user before being sent to the authorization server.
 * - {@link beginFlow} (GET /connections/authorize): the authorization server URL of one of this user's flows.
 * - {@link completeFlow} (GET /connections/callback): checks the state (single use, short-lived, bound to the
 *   flow), the `iss` of the response (RFC 9207), then exchanges the code and stores the tokens sealed. An
 *   `invalid_scope` refusal is handed to src/user/oauth/refused-scope.ts, which may start one narrower sign-in.
 */
import {
  auth,
  type FetchLike,
  type OAuthDiscoveryState,
  OAuthError,
  OAuthErrorCode,
  RegistrationRejectedError,
  validateAuthorizationResponseIssuer,
} from "@modelcontextprotocol/client";
import { checkUrl } from "../../registry/ssrf";
import { probeInitialize, SERVER_CHECK_TIMEOUT_MS } from "../server-check";
import { userUrlRefusal } from "../user-servers";
import { AUTHORIZE_PATH, redirectUri } from "./client-identity";
import { NO_REASON } from "./grant-reason";
import type { OAuthContext } from "./oauth-context";
import { cleanDetail, describeOAuthError } from "./oauth-errors";
import { FLOW_FAILED, FLOW_REFUSED, type FlowRow } from "./oauth-flow-store";
import { GatewayOAuthProvider } from "./oauth-provider";
import type { OAuthStore } from "./oauth-store";
import { saveTokens } from "./oauth-tokens";
import type { BeginResult, CallbackParams, CompleteResult, StartOptions, StartResult } from "./oauth-types";
import { scopeSet, scopeTokens, widerScopes, withoutScopes, withScopeSet } from "./sign-in-scope";

/** How long a sign-in link (and the state it carries) stays usable. */
export const FLOW_TTL_MS = 15 * 60_000;

const randomToken = (bytes = 16) =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** Constant-time comparison of two strings (a state guessed byte by byte learns nothing from timing). */
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The flow id a `state` names (`<flow>.<secret>`), so the callback finds its flow cookie. */
export function flowOfState(state: string): string | undefined {
  const dot = state.indexOf(".");
  return dot > 0 ? state.slice(0, dot) : undefined;
}

/**
 * Asks the server, without credentials, for its `WWW-Authenticate` challenge (src/user/server-check.ts), for the
 * `resource_metadata` URL and scope it names. Any failure leaves discovery to the well-known locations.
 */
export async function probeChallenge(
  serverUrl: string,
  fetch: FetchLike,
): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  try {
    const { status, challenge } = await probeInitialize(serverUrl, fetch, AbortSignal.timeout(SERVER_CHECK_TIMEOUT_MS));
    if ((status !== 401 && status !== 403) || !challenge) return {};
    const { resourceMetadataUrl, scope } = challenge;
    return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
  } catch {
    return {};
  }
}

/** What starting a flow needs to know of the server. */
export interface FlowTarget {
  server: string;
  serverUrl: string;
  /** The gateway's origin (the callback and the sign-in link live there). */
  origin: string;
}

/** What kind of sign-in {@link startFlow} starts; a plain one by default. */
export interface FlowKind {
  /** A step-up: the scope set it asks for (src/user/oauth/step-up.ts). */
  stepUp?: { wanted: string };
  /** Scopes to ask for beyond the challenge's and the wider ones (those a waiting handle needs). */
  also?: string;
  /** Ask for the challenge's scopes alone, nothing wider: the one sign-in after an `invalid_scope` refusal. */
  exact?: boolean;
}

/**
 * Starts a sign-in to `target` (see the module comment); the link it returns is valid {@link FLOW_TTL_MS}. It asks
 * for the challenge's scopes with the granted ones (a new sign-in keeps what was granted) and, when it is not a
 * step-up, those of the step-ups waiting for the user (src/user/oauth/sign-in-scope.ts), unless `kind.exact`. A
 * step-up (the server answered `insufficient_scope`; `kind.stepUp.wanted` is the scope set it asks for) leaves the
 * grant as it is: its other tools keep working with it. Its link is never reused for a plain sign-in.
 */
export async function startFlow(
  ctx: OAuthContext,
  target: FlowTarget,
  opts: StartOptions = {},
  kind: FlowKind = {},
): Promise<StartResult> {
  const { stepUp } = kind;
  const { server, serverUrl, origin } = target;
  // The sign-in's first requests go to the server itself: its rules (allow_hosts, the network's) apply as on every
  // connection, also to a server added before the operator narrowed them.
  const refused = userUrlRefusal(serverUrl, ctx.config);
  if (refused) return { ok: false, error: `${server}: ${refused}` };
  let resourceMetadataUrl: URL | undefined;
  if (opts.resourceMetadataUrl !== undefined) {
    if (!URL.canParse(opts.resourceMetadataUrl))
      return { ok: false, error: `${server}: invalid resource_metadata URL` };
    resourceMetadataUrl = new URL(opts.resourceMetadataUrl);
  }
  let challenged = opts.scope;
  if (!resourceMetadataUrl) {
    const challenge = await probeChallenge(serverUrl, ctx.fetch);
    resourceMetadataUrl = challenge.resourceMetadataUrl;
    challenged ??= challenge.scope;
  }
  // The SDK falls back to the well-known location when the challenge's metadata URL fails: a URL the network
  // rules refuse is refused outright instead, so the user learns why.
  if (resourceMetadataUrl) {
    const verdict = checkUrl(resourceMetadataUrl, ctx.config.network);
    if (!verdict.ok) return { ok: false, error: `${server}: ${verdict.reason}` };
  }
  const grant = ctx.store.grant(server);
  const wider = kind.exact ? [] : [...widerScopes(ctx.store, target, !stepUp), kind.also];
  // Without a challenged scope the SDK picks `scopes_supported`; the authorization request is widened after.
  const scope = scopeTokens(challenged).length > 0 ? scopeSet(challenged, wider) : undefined;

  const id = randomToken();
  const state = `${id}.${randomToken(24)}`;
  const provider = new GatewayOAuthProvider(ctx, { origin, serverUrl, state });
  try {
    const result = await auth(provider, {
      serverUrl,
      ...(scope ? { scope } : {}),
      ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
      fetchFn: ctx.fetch,
      forceReauthorization: true,
    });
    if (result !== "REDIRECT") throw new Error("the authorization server granted access without a sign-in");
  } catch (err) {
    // Discovery found no OAuth metadata at all, so the SDK fell back to the default endpoints at the server's origin
    // (`/register`, ...): their failure ("Dynamic Client Registration rejected (HTTP 404)") is not the point.
    const found = provider.captured.discovery;
    if (found && !found.resourceMetadata && !found.authorizationServerMetadata) {
      const fallback =
        err instanceof RegistrationRejectedError
          ? `has no registration endpoint (POST /register at its origin answered HTTP ${err.status})`
          : `its origin's default endpoints failed (${describeOAuthError(err)})`;
      return {
        ok: false,
        error: `${server}: the server does not offer OAuth sign-in: it publishes no OAuth metadata (neither protected resource metadata nor authorization server metadata) and ${fallback}; a server that needs no sign-in is used as it is, and one that takes an API key is added with headers`,
      };
    }
    return { ok: false, error: `${server}: cannot start the sign-in: ${describeOAuthError(err)}` };
  }
  const { verifier, discovery, resource } = provider.captured;
  const captured = provider.captured.location;
  if (!captured || !verifier) return { ok: false, error: `${server}: the sign-in could not be prepared` };
  const location = withScopeSet(captured, wider);
  // What the sign-in needs before widening: the challenge's scopes, else those discovery picked.
  const required = scopeTokens(challenged).length > 0 ? scopeSet(challenged) : scopeSet(scopeOf(captured));
  // The user's browser is sent there by the gateway's own link: only a web page, never another scheme a hostile
  // authorization server names (`file:`, an app's protocol handler), which the SDK's metadata check lets through.
  const scheme = new URL(location).protocol;
  if (scheme !== "https:" && scheme !== "http:") {
    return {
      ok: false,
      error: `${server}: the authorization server's authorization_endpoint is a ${scheme} URL; only an http(s) sign-in page can be opened`,
    };
  }
  const now = Date.now();
  ctx.store.addFlow({
    id,
    server,
    server_url: serverUrl,
    origin,
    state,
    verifier: await ctx.vault.seal("oauth-verifier", id, verifier),
    discovery: JSON.stringify(discovery ?? {}),
    location,
    redirect_uri: redirectUri(origin),
    resource: resource ?? null,
    scope: scopeOf(location),
    created_at: now,
    expires_at: now + FLOW_TTL_MS,
    required,
    ...(stepUp ? { step_up: 1, wanted: stepUp.wanted } : {}),
  });
  // A working grant keeps serving until the new sign-in completes, a step-up's too (only the tool that asked waits
  // for it); an expired one stays expired (its message says why) until then.
  if (!grant || grant.server_url !== serverUrl) {
    ctx.store.saveGrant(server, serverUrl, { status: "authorization_required", ...NO_REASON });
  }
  return { ok: true, authorization_url: authorizationUrl(origin, id) };
}

/** The `scope` an authorization request asks for, if any. */
const scopeOf = (location: string) => new URL(location).searchParams.get("scope");

/** A flow link left usable this long is handed out again instead of starting another sign-in. */
export const REUSE_MIN_LEFT_MS = 5 * 60_000;

/** The gateway link of flow `id`. */
export function authorizationUrl(origin: string, id: string): string {
  return `${origin}${AUTHORIZE_PATH}?flow=${encodeURIComponent(id)}`;
}

/**
 * The link of the newest unused flow of `server` at its URL from `origin` with at least {@link REUSE_MIN_LEFT_MS} left that
 * asks for at least `scope` and what a new plain sign-in would add to it (the granted scopes, the waiting step-ups'),
 * not a step-up: code that keeps calling a server waiting for its sign-in, and a repeated authorize_server, get the
 * same link instead of a new flow each time, but not one made before a step-up whose scope it lacks.
 */
export function pendingLink(store: OAuthStore, target: FlowTarget, scope?: string): string | undefined {
  // Only a flow to the same URL: a flow of a removed server must not sign in a new one that took its name.
  const flow = store.pendingFlow(target.server, target.serverUrl, target.origin, Date.now() + REUSE_MIN_LEFT_MS);
  if (!flow) return undefined;
  const asked = new Set(scopeTokens(flow.scope));
  const needed = scopeTokens(scopeSet(scope, widerScopes(store, target, true)));
  if (!needed.every((s) => asked.has(s))) return undefined;
  return authorizationUrl(target.origin, flow.id);
}

/**
 * How a user who opened a sign-in link that cannot be used starts again. These pages are read by the user, not the
 * model: they name the user's own way (Connect) first, and the agent's tool as something to ask for.
 */
export const START_AGAIN =
  "start a new one with Connect on your connections page, or ask your agent for a new link (authorize_server)";

/** Where to send the user for flow `id` of this user; another user's flow is simply not found here. */
export function beginFlow(ctx: Pick<OAuthContext, "store">, id: string): BeginResult {
  const flow = ctx.store.flow(id);
  if (!flow) {
    return {
      ok: false,
      error: `This sign-in link is not one of yours, or newer sign-ins replaced it (the last 200 are kept, and 8 pending step-ups per server): ${START_AGAIN}.`,
    };
  }
  if (flow.used === FLOW_REFUSED) {
    return {
      ok: false,
      error: `This sign-in to ${flow.server} was refused or cancelled at its authorization server: ${START_AGAIN}.`,
    };
  }
  if (flow.used === FLOW_FAILED) {
    return {
      ok: false,
      error: `This sign-in to ${flow.server} failed when it came back to the gateway: ${START_AGAIN}.`,
    };
  }
  if (flow.used) return { ok: false, error: `This sign-in to ${flow.server} is already complete.` };
  if (flow.expires_at < Date.now()) {
    return {
      ok: false,
      error: `This sign-in link to ${flow.server} expired: ${START_AGAIN}.`,
    };
  }
  return { ok: true, location: flow.location };
}

/**
 * The callback of flow `params.flow` (see the module comment). `scopeRefused`: the authorization server answered
 * `invalid_scope`, to the authorization request or the token request (src/user/oauth/refused-scope.ts takes it up).
 */
export async function completeFlow(
  ctx: OAuthContext,
  params: CallbackParams,
): Promise<CompleteResult | (CompleteFailure & { scopeRefused: FlowRow })> {
  const flow = ctx.store.flow(params.flow);
  if (!flow || !sameSecret(flow.state, params.state)) {
    return { ok: false, error: "This sign-in does not match one you started (unknown flow or wrong state)." };
  }
  const server = flow.server;
  // Used before anything else happens, so a replayed callback is refused whatever became of the first one.
  if (!ctx.store.useFlow(flow.id)) return { ok: false, server, error: "This sign-in response was already used." };
  let result: Awaited<ReturnType<typeof finishFlow>>;
  try {
    result = await finishFlow(ctx, flow, params);
  } catch (err) {
    // Failed here (unsealing, stored discovery, saving the tokens): reopening the link must not read "complete".
    ctx.store.endFlow(flow.id, FLOW_FAILED);
    throw err;
  }
  if (result.ok) return result;
  ctx.store.endFlow(flow.id, result.refused ? FLOW_REFUSED : FLOW_FAILED);
  return { ok: false, server, error: result.error, ...(result.scopeRefused ? { scopeRefused: flow } : {}) };
}

type CompleteFailure = Extract<CompleteResult, { ok: false }>;

/**
 * The rest of the callback, once the flow is marked used; `refused` when the authorization server said no,
 * `scopeRefused` when it said `invalid_scope`.
 */
async function finishFlow(
  ctx: OAuthContext,
  flow: FlowRow,
  params: CallbackParams,
): Promise<{ ok: true; server: string } | (CompleteFailure & { refused?: true; scopeRefused?: true })> {
  const server = flow.server;
  if (flow.expires_at < Date.now()) {
    return { ok: false, server, error: `This sign-in took too long: ${START_AGAIN}.` };
  }
  const discovery = JSON.parse(flow.discovery) as OAuthDiscoveryState;
  const metadata = discovery.authorizationServerMetadata;
  try {
    validateAuthorizationResponseIssuer({
      iss: params.iss,
      expectedIssuer: metadata?.issuer,
      issParameterSupported: metadata?.authorization_response_iss_parameter_supported === true,
    });
  } catch (err) {
    return { ok: false, server, error: describeOAuthError(err) };
  }
  if (params.error !== undefined) {
    const detail = params.error_description ? ` (${params.error_description})` : "";
    return {
      ok: false,
      server,
      error: `The authorization server refused: ${cleanDetail(params.error + detail)}`,
      refused: true,
      ...(params.error === OAuthErrorCode.InvalidScope ? { scopeRefused: true as const } : {}),
    };
  }
  if (!params.code) return { ok: false, server, error: "The sign-in response carries no authorization code." };

  const verifier = await ctx.vault.open<string>("oauth-verifier", flow.id, flow.verifier);
  const provider = new GatewayOAuthProvider(ctx, {
    origin: flow.origin,
    serverUrl: flow.server_url,
    discovery,
    verifier,
  });
  try {
    await auth(provider, {
      serverUrl: flow.server_url,
      authorizationCode: params.code,
      ...(params.iss === undefined ? {} : { iss: params.iss }),
      fetchFn: ctx.fetch,
    });
  } catch (err) {
    const error = `Could not obtain a token: ${describeOAuthError(err, [params.code])}`;
    const scopeRefused = err instanceof OAuthError && err.code === OAuthErrorCode.InvalidScope;
    return { ok: false, server, error, ...(scopeRefused ? { scopeRefused: true as const } : {}) };
  }
  const tokens = provider.captured.tokens;
  if (!tokens) return { ok: false, server, error: "The authorization server issued no token." };
  const grant = ctx.store.grant(server);
  const refused = grant?.server_url === flow.server_url ? grant.refused_scopes : null;
  await saveTokens(ctx, server, flow.server_url, tokens, {
    discovery: JSON.stringify(discovery),
    issuer: tokens.issuer ?? metadata?.issuer ?? discovery.authorizationServerUrl,
    redirect_uri: flow.redirect_uri,
    resource: provider.captured.resource ?? flow.resource,
    scopes: tokens.scope ?? flow.scope,
    authorized_at: Date.now(),
    // A scope granted again is no longer one the authorization server refuses.
    refused_scopes: withoutScopes(refused, tokens.scope ?? flow.scope) || null,
  });
  return { ok: true, server };
}
