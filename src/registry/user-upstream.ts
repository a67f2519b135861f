/**
 * @module registry/user-upstream
 * The connection to one of the user's own servers. It takes the path of any network upstream (SSRF guard on every
 * hop, circuit breaker, redaction) with three differences: its credentials come from the user object
 * (`connectionFor`), never from the Worker's env, and go only to the URL the connection was opened to while the user's
 * record still names it (src/registry/bound-credentials.ts); every hop must also pass `user_servers.allow_hosts`; and a 401
 * becomes a sign-in: an OAuth server's token is refreshed once, then the user is asked to authorize again
 * ({@link AuthorizationRequiredError}), the sign-in asking for the scope that 401's challenge names
 * (src/registry/bearer-challenge.ts), not what a request without a token would be told; a 403 `insufficient_scope` is a step-up for the tool that was called (the
 * server's other tools go on with the same token); a server without credentials that answers with an OAuth
 * challenge raises {@link OAuthChallengeError}, which add_server turns into an authorization URL.
 */
import { type AuthProvider, extractWWWAuthenticateParams } from "@modelcontextprotocol/client";
import type { GatewayConfig, ServerConfig } from "../config";
import type { UserConnection } from "../user/user-connections";
import { userUrlRefusal } from "../user/user-servers";
import { AuthorizationRequiredError, OAuthChallengeError } from "./authorization-required";
import { type BearerChallenge, bearerChallenge } from "./bearer-challenge";
import { boundSource, type CredentialHeaders, type CurrentUrl, currentUrlOnly } from "./bound-credentials";
import { circuitFor, NetworkUpstream } from "./connect";
import { guardedFetch, UrlRefusedError } from "./guarded-fetch";
import type { FetchLike, UpstreamConnection, UpstreamCredentials } from "./upstream";

/** A token is used until this long before it expires, then asked for again (the user object refreshes it). */
const TOKEN_MARGIN_MS = 60_000;

/** What a user-server connection asks the user object for (its `connectionFor` RPC). */
export type ConnectionSource = (
  name: string,
  opts?: {
    force?: boolean;
    signIn?: boolean;
    /** With `force` or `signIn`: the challenge of the 401 that refused the token, for the sign-in it may need. */
    challenge?: BearerChallenge;
    stepUp?: BearerChallenge & { tool?: string };
  },
) => Promise<UserConnection>;

/**
 * The token a connection sends: set by its auth provider, replaced by a newer one (a refresh, or the step-up check
 * finding one granted since). `secrets` holds the credential values of the tokens it took up, newest first: each
 * is redacted from what the server sends back, not only the first.
 */
interface TokenBox {
  current?: UserConnection & { ok: true };
  secrets: string[];
}

/** Tokens a connection keeps redacting after it took up newer ones (an older one may not have expired yet). */
const MAX_TOKENS_REDACTED = 8;

/** Makes `next` the token `box` sends, and one it redacts. */
function adopt(box: TokenBox, next: UserConnection & { ok: true }): void {
  box.current = next;
  if (next.secrets.every((s) => box.secrets.includes(s))) return;
  // A new array: redaction caches its forms per array (src/auth/secret-forms.ts).
  const kept = [...new Set([...next.secrets, ...box.secrets])].slice(0, 2 * MAX_TOKENS_REDACTED);
  box.secrets = kept.sort((a, b) => b.length - a.length);
}

const insufficientScope = (response: Response) =>
  response.status === 403 && extractWWWAuthenticateParams(response).error === "insufficient_scope";

/** The bearer token a request carries, if any. */
function bearerOf(input: RequestInfo | URL, init?: RequestInit): string | undefined {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  return /^bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1];
}

/** The tool a JSON-RPC request body calls (`tools/call`), if it is one: the tool a step-up is for. */
function calledTool(body: unknown): string | undefined {
  if (typeof body !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
      const { method, params } = (m ?? {}) as { method?: unknown; params?: { name?: unknown } };
      if (method === "tools/call" && typeof params?.name === "string") return params.name;
    }
  } catch {
    // Not JSON: no tool to name.
  }
  return undefined;
}

/**
 * Step-up (MCP authorization, `insufficient_scope`): a 403 whose challenge asks for more scope. When the user object
 * holds a newer token than the one refused (the step-up was granted since this connection took its token), the
 * request is sent once more with it; otherwise the call ends asking the user to open the step-up sign-in's link
 * (src/user/oauth/step-up.ts), for the tool that was called.
 */
function stepUpOn403(name: string, source: ConnectionSource, base: FetchLike, box: TokenBox): FetchLike {
  return async (input, init) => {
    let response = await base(input, init);
    if (!insufficientScope(response)) return response;
    const sent = bearerOf(input, init);
    const latest = sent && typeof init?.body === "string" ? await source(name) : undefined;
    if (latest?.ok && latest.token && latest.token !== sent) {
      await response.body?.cancel().catch(() => {});
      adopt(box, latest);
      const headers = new Headers(init?.headers);
      headers.set("authorization", `Bearer ${latest.token}`);
      response = await base(input, { ...init, headers });
      if (!insufficientScope(response)) return response;
    }
    const challenge = bearerChallenge(response);
    await response.body?.cancel().catch(() => {});
    const tool = calledTool(init?.body);
    const next = await source(name, { stepUp: { ...challenge, ...(tool ? { tool } : {}) } });
    throw next.ok ? new Error(`${name} needs more permission (HTTP 403 insufficient_scope)`) : failed(name, next);
  };
}

function failed(name: string, c: Extract<UserConnection, { ok: false }>): Error {
  return c.status === "error"
    ? new Error(`${name}: ${c.message}`)
    : new AuthorizationRequiredError(name, c.status, c.authorization_url, c.cacheScope, c.scope);
}

/** A bearer-token provider backed by the user object: the token is cached until shortly before it expires. */
function tokenProvider(
  name: string,
  source: ConnectionSource,
  first: UserConnection & { ok: true },
  box: TokenBox,
): AuthProvider {
  adopt(box, first);
  const current = () => box.current ?? first;
  const fresh = () => {
    const expires = current().token_expires_at;
    return !expires || expires - TOKEN_MARGIN_MS > Date.now();
  };
  const renew = async (force: boolean, challenge?: BearerChallenge) => {
    const next = await source(name, force ? { force, ...(challenge ? { challenge } : {}) } : {});
    if (!next.ok) throw failed(name, next);
    adopt(box, next);
  };
  return {
    async token() {
      if (!fresh()) await renew(false);
      return current().token;
    },
    async onUnauthorized({ response }) {
      const rejected = current().token;
      // The sign-in this may lead to asks for what this 401 names, not what a request without a token would be told.
      const challenge = bearerChallenge(response);
      await renew(true, challenge);
      if (current().token !== rejected) return;
      // No newer token to try (it was issued moments ago): the upstream refuses this grant, so sign in again.
      const next = await source(name, { signIn: true, challenge });
      throw next.ok ? new AuthorizationRequiredError(name, "authorization_required") : failed(name, next);
    },
  };
}

/**
 * For servers without OAuth: a 401 is either an OAuth challenge (sign-in needed) or refused credentials. To a server
 * sent no credentials (no headers, no query string that may hold a key), a 401 without a challenge is one too: MCP
 * lets a server name its authorization server only in its well-known metadata, where the sign-in's discovery looks.
 */
function challengeProvider(name: string, credentials: "none" | "headers" | "url"): AuthProvider {
  return {
    token: async () => undefined,
    async onUnauthorized({ response }) {
      const www = response.headers.get("www-authenticate") ?? "";
      if (/^\s*bearer\b/i.test(www) || /resource_metadata=/i.test(www)) {
        const { resourceMetadataUrl, scope } = bearerChallenge(response);
        throw new OAuthChallengeError(name, resourceMetadataUrl, scope);
      }
      if (credentials === "none") throw new OAuthChallengeError(name);
      if (credentials === "url") {
        throw new Error(
          `upstream ${name} refused the request (HTTP 401) without an OAuth challenge: if its URL carries a key, the key was refused (remove_server and add_server it with a new one); if it signs users in with OAuth, authorize_server finds the sign-in`,
        );
      }
      throw new Error(`upstream ${name} refused the credentials (HTTP 401); check its headers and secrets`);
    },
  };
}

/** `fetch` to a user's server: the SSRF guard, and `user_servers.allow_hosts`, on the URL and every redirect hop. */
export function userServerFetch(gateway: GatewayConfig): FetchLike {
  const allowHops: FetchLike = (input, init) => {
    const bad = userUrlRefusal(input instanceof Request ? input.url : String(input), gateway);
    return bad ? Promise.reject(new UrlRefusedError(`refused to connect: ${bad}`)) : fetch(input, init);
  };
  return guardedFetch(allowHops, gateway.network);
}

/** Opens the connection to the user's server `config` (its URL checked again: the operator's rules may change). */
export function connectUserUpstream(
  config: ServerConfig,
  deps: {
    env: Record<string, unknown>;
    user: string;
    gateway: GatewayConfig;
    source: ConnectionSource;
    /** The server's URL in the user's record now: asked before every request that carries credentials. */
    currentUrl: CurrentUrl;
  },
): UpstreamConnection {
  const { gateway } = deps;
  const source = boundSource(config, deps.source);
  const refusal = userUrlRefusal(config.url, gateway);
  const box: TokenBox = { secrets: [] };
  const sent: CredentialHeaders = { names: new Set() };
  const credentials = async (): Promise<UpstreamCredentials> => {
    const c = await source(config.name);
    if (!c.ok) throw failed(config.name, c);
    sent.names = new Set(c.headers.map(([name]) => name.toLowerCase()));
    if (!c.token)
      return {
        headers: c.headers,
        secrets: c.secrets,
        cacheScope: c.cacheScope,
        authProvider: challengeProvider(
          config.name,
          c.headers.length > 0 ? "headers" : URL.canParse(config.url) && new URL(config.url).search ? "url" : "none",
        ),
      };
    const authProvider = tokenProvider(config.name, source, c, box);
    // Read at each redaction: the tokens the connection took up since are redacted too.
    return {
      headers: c.headers,
      get secrets() {
        return box.secrets;
      },
      cacheScope: c.cacheScope,
      authProvider,
    };
  };
  return new NetworkUpstream(
    config,
    {
      env: {},
      credentials,
      url: refusal ? new URL("http://invalid.invalid/") : new URL(config.url),
      fetch: refusal
        ? () => Promise.reject(new UrlRefusedError(`refused to connect to ${config.name}: ${refusal}`))
        : stepUpOn403(
            config.name,
            source,
            currentUrlOnly(config, deps.currentUrl, sent, userServerFetch(gateway)),
            box,
          ),
    },
    circuitFor(deps.user, config, gateway.limits),
    "its headers and secrets (the /connections page), or sign in again with authorize_server",
  );
}
