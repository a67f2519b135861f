/**
 * @module user/oauth/oauth-tokens
 * The access tokens of a user's OAuth servers, kept fresh on the host: a token close to its expiry is refreshed
 * before it is handed out (the refresh token rotated when the authorization server issues a new one), once per
 * server however many sessions ask at the same moment, because a rotating refresh token used twice is refused
 * (and may revoke the grant). A refresh the authorization server refuses ends in status `expired`, with a message
 * saying a new sign-in is needed; a transient failure keeps the grant and the still-valid token.
 */
import {
  type OAuthDiscoveryState,
  OAuthError,
  OAuthErrorCode,
  refreshAuthorization,
  type StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import { type GrantReason, grantMessage, NO_REASON, reasonFields, reasonText } from "./grant-reason";
import type { OAuthContext } from "./oauth-context";
import { describeOAuthError } from "./oauth-errors";
import { clientFor } from "./oauth-provider";
import type { GrantRow } from "./oauth-store";
import type { AccessTokenOptions, AccessTokenResult, OAuthStatusView } from "./oauth-types";
import { MAX_SCOPES_ASKED, scopeTokens } from "./sign-in-scope";

/** Refresh this long before expiry (or at three quarters of a shorter lifetime). */
export const REFRESH_MARGIN_MS = 60_000;
/** A forced refresh right after another one returns the new token instead (it is what the caller lacked). */
const FORCED_REFRESH_MIN_INTERVAL_MS = 5_000;

/** The additional authenticated data name of a grant's tokens: bound to the server and its URL. */
const tokensName = (server: string, serverUrl: string) => `${server} ${serverUrl}`;

/** Stores freshly issued tokens of `server` sealed, with status connected. */
export async function saveTokens(
  ctx: OAuthContext,
  server: string,
  serverUrl: string,
  tokens: StoredOAuthTokens,
  fields: Partial<GrantRow> = {},
): Promise<void> {
  const now = Date.now();
  ctx.store.saveGrant(server, serverUrl, {
    ...fields,
    status: "connected",
    ...NO_REASON,
    tokens: await ctx.vault.seal("oauth-tokens", tokensName(server, serverUrl), tokens),
    expires_at: typeof tokens.expires_in === "number" ? now + tokens.expires_in * 1000 : null,
    obtained_at: now,
    ...(tokens.scope ? { scopes: tokens.scope } : {}),
  });
}

/** The grant's tokens in the clear (on the host only). */
export function openTokens(ctx: OAuthContext, grant: GrantRow): Promise<StoredOAuthTokens | undefined> {
  if (!grant.tokens) return Promise.resolve(undefined);
  return ctx.vault.open<StoredOAuthTokens>("oauth-tokens", tokensName(grant.server, grant.server_url), grant.tokens);
}

/**
 * What list_servers shows of a grant. Its scopes are the authorization server's words: only scope tokens are shown,
 * each once and at most MAX_SCOPES_ASKED (src/user/oauth/sign-in-scope.ts), as many as a sign-in asks for.
 */
export function statusView(grant: GrantRow): OAuthStatusView {
  const scopes = [...new Set(scopeTokens(grant.scopes))].slice(0, MAX_SCOPES_ASKED);
  const message = grantMessage(grant);
  return {
    type: "oauth",
    status: grant.status,
    ...(scopes.length > 0 ? { scopes } : {}),
    ...(grant.expires_at !== null && grant.tokens ? { expires_at: new Date(grant.expires_at).toISOString() } : {}),
    ...(message ? { message } : {}),
  };
}

function needsRefresh(grant: GrantRow, now: number): boolean {
  if (grant.expires_at === null) return false;
  const lifetime = grant.expires_at - (grant.obtained_at ?? grant.expires_at);
  return now >= grant.expires_at - Math.min(REFRESH_MARGIN_MS, lifetime / 4);
}

/** Hands out access tokens, refreshing them once per server at a time (see the module comment). */
export class TokenKeeper {
  readonly #refreshing = new Map<string, Promise<AccessTokenResult>>();

  /** A usable access token of `server`, refreshed first when it is (nearly) expired or `force` is set. */
  async accessToken(ctx: OAuthContext, server: string, opts: AccessTokenOptions = {}): Promise<AccessTokenResult> {
    const pending = this.#refreshing.get(server);
    if (pending) return pending;
    const grant = ctx.store.grant(server);
    if (!grant?.tokens) {
      const status = grant?.status === "expired" ? "expired" : "authorization_required";
      const message = grant ? grantMessage(grant) : undefined;
      return { ok: false, status, message: message ?? `${server} needs a sign-in: authorize_server` };
    }
    // Decided before any await, so a second caller arriving meanwhile finds this refresh in flight.
    const now = Date.now();
    // A token obtained moments ago is what a caller rejected with an older one lacks; later in its life the
    // rejection may be its own expiry or revocation, so it is refreshed.
    const lifetime = grant.expires_at !== null && grant.obtained_at !== null ? grant.expires_at - grant.obtained_at : 0;
    const recent =
      grant.obtained_at !== null &&
      now - grant.obtained_at < Math.min(FORCED_REFRESH_MIN_INTERVAL_MS, lifetime > 0 ? lifetime / 4 : Infinity);
    if (!(opts.force && !recent) && !needsRefresh(grant, now)) {
      const tokens = await openTokens(ctx, grant);
      return tokens
        ? tokenResult(tokens, grant)
        : { ok: false, status: "authorization_required", message: "it needs a sign-in" };
    }
    const refresh = (async () => {
      const tokens = await openTokens(ctx, grant);
      if (!tokens) return expire(ctx, grant, "tokens_gone");
      return this.#refresh(ctx, grant, tokens, opts.force === true);
    })().finally(() => {
      this.#refreshing.delete(server);
    });
    this.#refreshing.set(server, refresh);
    return refresh;
  }

  async #refresh(
    ctx: OAuthContext,
    grant: GrantRow,
    tokens: StoredOAuthTokens,
    rejected: boolean,
  ): Promise<AccessTokenResult> {
    const { server, server_url: serverUrl } = grant;
    const stillValid = !rejected && grant.expires_at !== null && grant.expires_at > Date.now();
    if (!tokens.refresh_token) return expire(ctx, grant, "no_refresh_token");
    const discovery = JSON.parse(grant.discovery ?? "{}") as Partial<OAuthDiscoveryState>;
    const issuer = grant.issuer ?? discovery.authorizationServerUrl;
    const client =
      issuer && grant.redirect_uri ? await clientFor(ctx, issuer, grant.redirect_uri, serverUrl) : undefined;
    if (!discovery.authorizationServerUrl || !client) {
      return expire(ctx, grant, "client_gone");
    }
    try {
      const fresh = await refreshAuthorization(discovery.authorizationServerUrl, {
        ...(discovery.authorizationServerMetadata ? { metadata: discovery.authorizationServerMetadata } : {}),
        clientInformation: client,
        refreshToken: tokens.refresh_token,
        ...(grant.resource ? { resource: grant.resource } : {}),
        fetchFn: ctx.fetch,
      });
      await saveTokens(ctx, server, serverUrl, { ...fresh, ...(tokens.issuer ? { issuer: tokens.issuer } : {}) });
      const saved = ctx.store.grant(server);
      return saved ? tokenResult({ ...fresh }, saved) : { ok: true, token: fresh.access_token };
    } catch (err) {
      const secrets = [tokens.refresh_token, tokens.access_token, client.client_secret ?? ""];
      const detail = describeOAuthError(err, secrets);
      if (err instanceof OAuthError && err.code !== OAuthErrorCode.ServerError) {
        return expire(ctx, grant, "refresh_refused", detail);
      }
      if (stillValid) return tokenResult(tokens, grant);
      ctx.store.saveGrant(server, serverUrl, { status: "error", ...reasonFields("renew_failed", detail) });
      return { ok: false, status: "error", message: reasonText("renew_failed", detail) };
    }
  }
}

function tokenResult(tokens: StoredOAuthTokens, grant: GrantRow): AccessTokenResult {
  return {
    ok: true,
    token: tokens.access_token,
    ...(grant.expires_at === null ? {} : { expires_at: grant.expires_at }),
  };
}

/** Drops the grant's tokens and marks it expired for `reason` (stored as a code, worded when read). */
function expire(ctx: OAuthContext, grant: GrantRow, reason: GrantReason, detail?: string): AccessTokenResult {
  const fields = reasonFields(reason, detail ?? null);
  ctx.store.saveGrant(grant.server, grant.server_url, { status: "expired", ...fields, tokens: null, expires_at: null });
  return { ok: false, status: "expired", message: reasonText(reason, fields.reason_detail) };
}
