/**
 * @module auth/authenticate
 * Turns a request into the user id that names the user's session objects, workspace and skills. Off (`none`) it
 * is always "local", for callers on this machine only unless `allow_unauthenticated` (src/auth/local-only.ts); with `api_keys` the `Authorization: Bearer` token must be a configured key; with `oauth` the
 * request has already passed the OAuth provider (src/auth/oauth.ts), which recorded the grant's user here.
 * Tokens are read from the Authorization header only: a token in the query string ends up in logs and browser
 * history (RFC 6750 §5.3, MCP authorization: "MUST NOT include tokens in the URI query string").
 */
import { type AuthConfig, envValue } from "../config";
import type { Env } from "../env";
import { loadApiKeys, userForApiKey } from "./api-keys";
import { localOnlyResponse, notLocalReason } from "./local-only";

/** The user every request acts as while authentication is off (local development). */
export const LOCAL_USER = "local";
const REALM = "codemode-gateway";
const BEARER = /^Bearer[\t ]+([^\s,]+)$/i;

/** Users verified by the OAuth provider, keyed by the request object it handed to the app. */
const oauthVerified = new WeakMap<Request, string>();

/** Records the user of a request whose OAuth token the provider has validated (called by its API handler only). */
export function markOAuthUser(request: Request, user: string): void {
  oauthVerified.set(request, user);
}

export type AuthResult = { ok: true; user: string } | { ok: false; response: Response };

function rpcError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32001, message }, id: null },
    { status, headers: { "cache-control": "no-store", ...headers } },
  );
}

function unauthorized(message: string, invalid: boolean): AuthResult {
  const challenge = `Bearer realm="${REALM}"${invalid ? `, error="invalid_token", error_description="${message}"` : ""}`;
  return { ok: false, response: rpcError(401, `Unauthorized: ${message}`, { "www-authenticate": challenge }) };
}

/** 400 for `?access_token=` on any route, whatever the mode: such a token is refused, never used. */
export function refuseQueryToken(request: Request): Response | undefined {
  if (!new URL(request.url).searchParams.has("access_token")) return undefined;
  return rpcError(400, "access tokens in the query string are refused; send them as Authorization: Bearer <token>", {
    "www-authenticate": `Bearer realm="${REALM}", error="invalid_request", error_description="token in query string"`,
  });
}

/** Reads the bearer token of the Authorization header (undefined when absent or malformed). */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  return header ? BEARER.exec(header)?.[1] : undefined;
}

/** The authenticated user of a request to /mcp or /servers/*, or the response that refuses it. */
export async function authenticate(request: Request, env: Env, auth: AuthConfig): Promise<AuthResult> {
  if (auth.mode === "none") {
    const notLocal = auth.allow_unauthenticated ? undefined : notLocalReason(request);
    return notLocal === undefined
      ? { ok: true, user: LOCAL_USER }
      : { ok: false, response: localOnlyResponse(notLocal) };
  }
  if (auth.mode === "oauth") {
    const user = oauthVerified.get(request);
    // Unreachable through the provider (it answers 401 itself); refuse rather than fall back to a default user.
    return user ? { ok: true, user } : unauthorized("a valid OAuth access token is required", false);
  }
  const keys = await loadApiKeys(
    auth.api_keys_secret,
    envValue(env as unknown as Record<string, unknown>, auth.api_keys_secret),
  );
  if (!keys.ok) return { ok: false, response: rpcError(500, keys.error) };
  const token = bearerToken(request);
  if (!token) return unauthorized("send an API key as Authorization: Bearer <key>", false);
  const user = await userForApiKey(token, keys.entries);
  return user ? { ok: true, user } : unauthorized("the API key is not valid", true);
}
