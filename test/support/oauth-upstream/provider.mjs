// The authorization server's state for the test OAuth upstream: an OAuthServerProvider (the MCP SDK v1 interface
// its auth router drives) holding clients, pending consents, codes and tokens in memory, with refresh-token
// rotation, revocation that is recorded, and Client ID Metadata Documents. Every grant and refusal is appended to
// `events` so tests can assert what the client actually did.
import { randomBytes, randomUUID } from "node:crypto";
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidScopeError,
  InvalidTargetError,
  InvalidTokenError,
} from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { consentPage } from "./consent-page.mjs";

const CODE_TTL_MS = 60_000;
const CONSENT_TTL_MS = 10 * 60_000;
const CIMD_TIMEOUT_MS = 5_000;
const CIMD_MAX_BYTES = 64 * 1024;
const MAX_RECORDS = 1_000;

const token = (prefix) => `${prefix}_${randomBytes(24).toString("base64url")}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
// A resource indicator compares without its fragment and one trailing slash, as the SDK's bearer middleware does.
const sameResource = (a, b) =>
  String(a).split("#")[0].replace(/\/$/, "") === String(b).split("#")[0].replace(/\/$/, "");

/** Is `clientId` a Client ID Metadata Document URL this server will fetch? */
function isCimdUrl(clientId, allowHttp) {
  if (!URL.canParse(clientId)) return false;
  const url = new URL(clientId);
  if (url.pathname === "/" || url.hash) return false;
  return url.protocol === "https:" || (allowHttp && url.protocol === "http:");
}

/**
 * In-memory OAuth authorization server behaviour behind the SDK's mcpAuthRouter.
 * `settings` is the live, mutable option object of the upstream (switches flip at run time).
 */
export class MemoryOAuthProvider {
  /** client_id -> registered client information (dynamic or pre-registered). */
  clients = new Map();
  /** consent request id -> { client, params, expiresAt } awaiting Allow/Deny. */
  pending = new Map();
  /** authorization code -> { clientId, subject, scopes, resource, codeChallenge, redirectUri, expiresAt }. */
  codes = new Map();
  /** access token -> { clientId, subject, scopes, resource, expiresAt (s), refreshToken }. */
  accessTokens = new Map();
  /** refresh token -> { clientId, subject, scopes, resource, expiresAt (s) }. */
  refreshTokens = new Map();
  /** Refresh tokens already exchanged (rotation): presenting one again is refused. */
  usedRefreshTokens = new Set();
  /** Every revocation request that named a known token: { token, kind, clientId, subject }. */
  revoked = [];
  /** What happened, in order: { type, ... } (authorize, consent, token, refresh, revoke, register, refused). */
  events = [];

  constructor(settings, issuer, resource) {
    this.settings = settings;
    this.issuer = issuer;
    this.resource = resource;
    for (const client of settings.clients ?? []) this.clients.set(client.client_id, { ...client });
    const provider = this;
    this.clientsStore = {
      getClient: (clientId) => provider.#getClient(clientId),
      ...(settings.registration === false
        ? {}
        : {
            registerClient(client) {
              // The SDK generated the id and secret; client_secret_basic works too (see basicClientAuth).
              const full = { ...client, client_id: client.client_id ?? randomUUID() };
              provider.clients.set(full.client_id, full);
              provider.#record({ type: "register", clientId: full.client_id, client_name: full.client_name });
              return full;
            },
          }),
    };
  }

  #record(event) {
    this.events.push({ at: Date.now(), ...event });
    if (this.events.length > MAX_RECORDS) this.events.shift();
  }

  async #getClient(clientId) {
    if (this.clients.has(clientId)) return this.clients.get(clientId);
    if (!this.settings.cimd || !isCimdUrl(clientId, this.settings.cimdAllowHttp)) return undefined;
    const response = await fetch(clientId, { signal: AbortSignal.timeout(CIMD_TIMEOUT_MS), redirect: "error" });
    const text = await response.text();
    if (!response.ok || text.length > CIMD_MAX_BYTES) throw new InvalidClientError("client metadata unavailable");
    const doc = JSON.parse(text);
    if (doc.client_id !== clientId || !Array.isArray(doc.redirect_uris)) {
      throw new InvalidClientError("client metadata document does not name this client_id");
    }
    this.#record({ type: "cimd", clientId });
    // Not cached in `clients`: the document is fetched again on every use, as its owner may change it.
    return { ...doc, token_endpoint_auth_method: doc.token_endpoint_auth_method ?? "none" };
  }

  #scopes(requested) {
    const supported = this.settings.scopesSupported;
    const scopes = requested?.length ? requested : [...this.settings.defaultScopes];
    const unknown = scopes.filter((s) => !supported.includes(s));
    if (unknown.length) throw new InvalidScopeError(`unknown scope: ${unknown.join(" ")}`);
    return scopes;
  }

  /** Refuses `scopes` naming one the server no longer grants, at `step` (the `droppedScopes` switch). */
  #dropped(scopes, step) {
    if ((this.settings.dropScopesAt ?? "authorize") !== step) return;
    const dropped = scopes.filter((s) => (this.settings.droppedScopes ?? []).includes(s));
    if (dropped.length) throw new InvalidScopeError(`no longer granted: ${dropped.join(" ")}`);
  }

  #resource(resource) {
    if (resource === undefined) {
      if (this.settings.requireResource) throw new InvalidTargetError("the resource parameter (RFC 8707) is required");
      return this.resource;
    }
    if (!sameResource(resource, this.resource)) {
      throw new InvalidTargetError(`this server only issues tokens for ${this.resource}`);
    }
    return this.resource;
  }

  /** The `iss` the redirect carries, as the misbehaviour switch says. */
  #iss() {
    if (this.settings.iss === "missing") return undefined;
    if (this.settings.iss === "wrong") return "http://127.0.0.1:1/";
    return this.issuer;
  }

  redirect(res, redirectUri, params) {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
    const iss = this.#iss();
    if (iss !== undefined) url.searchParams.set("iss", iss);
    res.redirect(302, url.href);
  }

  async authorize(client, params, res) {
    let scopes;
    let resource;
    try {
      scopes = this.#scopes(params.scopes);
      this.#dropped(scopes, "authorize");
      resource = this.#resource(params.resource?.href);
    } catch (error) {
      this.#record({ type: "refused", step: "authorize", clientId: client.client_id, error: error.errorCode });
      return this.redirect(res, params.redirectUri, {
        error: error.errorCode,
        error_description: error.message,
        state: params.state,
      });
    }
    const id = token("consent");
    this.pending.set(id, { client, params: { ...params, scopes, resource }, expiresAt: Date.now() + CONSENT_TTL_MS });
    this.#record({ type: "authorize", clientId: client.client_id, scopes, resource });
    if (this.settings.autoApprove) return this.decide(res, { request: id, decision: "allow" });
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(consentPage({ id, client, scopes, resource, subject: this.settings.subject }));
  }

  /** The consent form's answer: issue a code (Allow) or access_denied (Deny), both to the client's redirect. */
  decide(res, { request, decision, user }) {
    const entry = this.pending.get(String(request ?? ""));
    this.pending.delete(String(request ?? ""));
    if (!entry || entry.expiresAt < Date.now()) {
      res.status(400).type("text").send("This consent request is unknown or expired; start the sign-in again.");
      return;
    }
    const { client, params } = entry;
    const subject = String(user || this.settings.subject);
    this.#record({ type: "consent", clientId: client.client_id, decision, subject });
    if (decision !== "allow") {
      return this.redirect(res, params.redirectUri, {
        error: "access_denied",
        error_description: "the user denied access",
        state: params.state,
      });
    }
    const code = token("code");
    this.codes.set(code, {
      clientId: client.client_id,
      subject,
      scopes: params.scopes,
      resource: params.resource,
      codeChallenge: params.codeChallenge,
      redirectUri: params.redirectUri,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    this.redirect(res, params.redirectUri, { code, state: params.state });
  }

  #code(client, code) {
    const entry = this.codes.get(code);
    if (!entry || entry.clientId !== client.client_id || entry.expiresAt < Date.now()) {
      throw new InvalidGrantError("invalid, expired or already used authorization code");
    }
    return entry;
  }

  async challengeForAuthorizationCode(client, code) {
    return this.#code(client, code).codeChallenge;
  }

  async exchangeAuthorizationCode(client, code, _verifier, redirectUri, resource) {
    const entry = this.#code(client, code);
    this.codes.delete(code); // single use, whatever happens next
    if (redirectUri !== undefined && redirectUri !== entry.redirectUri) {
      throw new InvalidGrantError("redirect_uri differs from the authorization request's");
    }
    if (resource !== undefined && !sameResource(resource.href, entry.resource)) {
      throw new InvalidTargetError("resource differs from the authorization request's");
    }
    try {
      this.#dropped(entry.scopes, "token");
    } catch (error) {
      this.#record({ type: "refused", step: "token", clientId: client.client_id, error: error.errorCode });
      throw error;
    }
    this.#record({ type: "token", clientId: client.client_id, subject: entry.subject, scopes: entry.scopes });
    return this.#issue(client.client_id, entry);
  }

  async exchangeRefreshToken(client, refreshToken, scopes, resource) {
    if (this.usedRefreshTokens.has(refreshToken)) {
      this.#record({ type: "refused", step: "refresh", clientId: client.client_id, error: "reused" });
      throw new InvalidGrantError("refresh token already used (tokens rotate on every refresh)");
    }
    const entry = this.refreshTokens.get(refreshToken);
    if (!entry || entry.clientId !== client.client_id || entry.expiresAt < nowSeconds()) {
      this.#record({ type: "refused", step: "refresh", clientId: client.client_id, error: "invalid" });
      throw new InvalidGrantError("invalid or expired refresh token");
    }
    if (this.settings.failRefresh) {
      this.#record({ type: "refused", step: "refresh", clientId: client.client_id, error: "failRefresh" });
      throw new InvalidGrantError("refresh refused (failRefresh switch)");
    }
    if (resource !== undefined && !sameResource(resource.href, entry.resource)) {
      throw new InvalidTargetError("resource differs from the original grant's");
    }
    const narrowed = scopes?.length ? scopes : entry.scopes;
    if (narrowed.some((s) => !entry.scopes.includes(s))) throw new InvalidScopeError("scope wider than the grant");
    this.refreshTokens.delete(refreshToken);
    this.usedRefreshTokens.add(refreshToken);
    this.#record({ type: "refresh", clientId: client.client_id, subject: entry.subject, scopes: narrowed });
    return this.#issue(client.client_id, { ...entry, scopes: narrowed });
  }

  #issue(clientId, { subject, scopes, resource }) {
    const ttl = this.settings.accessTokenTtl;
    const access = token("at");
    const refresh = this.settings.refreshTokens ? token("rt") : undefined;
    const expiresAt = nowSeconds() + ttl;
    this.accessTokens.set(access, { clientId, subject, scopes, resource, expiresAt, refreshToken: refresh });
    if (refresh) {
      const refreshExpiresAt = nowSeconds() + this.settings.refreshTokenTtl;
      this.refreshTokens.set(refresh, { clientId, subject, scopes, resource, expiresAt: refreshExpiresAt });
    }
    return {
      access_token: access,
      token_type: "Bearer",
      expires_in: ttl,
      scope: scopes.join(" "),
      ...(refresh ? { refresh_token: refresh } : {}),
    };
  }

  async verifyAccessToken(accessToken) {
    const entry = this.accessTokens.get(accessToken);
    if (!entry) throw new InvalidTokenError("unknown or revoked access token");
    return {
      token: accessToken,
      clientId: entry.clientId,
      scopes: entry.scopes,
      expiresAt: entry.expiresAt,
      resource: new URL(entry.resource),
      extra: { subject: entry.subject },
    };
  }

  async revokeToken(client, { token: value }) {
    // RFC 7009: an unknown token is not an error; a refresh token takes its access tokens with it.
    const access = this.accessTokens.get(value);
    const refresh = this.refreshTokens.get(value);
    const entry = access ?? refresh;
    if (!entry || entry.clientId !== client.client_id) {
      this.#record({ type: "revoke", clientId: client.client_id, known: false });
      return;
    }
    const kind = access ? "access_token" : "refresh_token";
    this.accessTokens.delete(value);
    this.refreshTokens.delete(value);
    if (refresh) {
      for (const [at, data] of this.accessTokens) if (data.refreshToken === value) this.accessTokens.delete(at);
    }
    this.revoked.push({ token: value, kind, clientId: client.client_id, subject: entry.subject });
    this.#record({ type: "revoke", clientId: client.client_id, known: true, kind, subject: entry.subject });
  }
}
