/**
 * @module user/user-connections
 * What a session needs to connect to one of the user's servers, resolved inside the user object so credentials
 * never leave the host: the URL, the headers with `${secret:NAME}` substituted, every credential value (for
 * redaction, src/auth/redact.ts), the catalog cache scope, and for OAuth servers the access token (from the OAuth
 * client's `oauthAccessToken`, src/user/oauth). Also each server's auth status as list_servers shows it.
 */
import { MIN_SECRET_LENGTH } from "../auth/redact";
import type { LoadedKeys } from "./connections-key";
import { resolveUserHeaders } from "./header-templates";
import { cleanDetail } from "./oauth/oauth-errors";
import type { StepUpView } from "./oauth/oauth-types";
import { storeSecretsHint } from "./secret-hosts";
import type { UserSecrets } from "./user-secrets";
import { hostOf, type UserAuthView, type UserServerRow, type UserServers } from "./user-servers";

/** What an upstream's 401 or 403 challenge named, bounded (src/registry/bearer-challenge.ts). */
export interface SignInChallenge {
  scope?: string;
  resourceMetadataUrl?: string;
}

/** What the OAuth client (H-OA, src/user/oauth) answers; the user object provides these as RPC methods. */
export interface OAuthHooks {
  startAuthorization(
    server: string,
    origin: string,
    opts?: SignInChallenge,
  ): Promise<{ ok: true; authorization_url: string } | { ok: false; error: string }>;
  oauthAccessToken(
    server: string,
    opts?: { force?: boolean; origin?: string; challenge?: SignInChallenge },
  ): Promise<
    | { ok: true; token: string; expires_at?: number | string }
    | { ok: false; status: string; message: string; authorization_url?: string }
  >;
  oauthStatus(
    server: string,
  ): Promise<
    | { status: string; scopes?: string[]; expires_at?: number | string; message?: string; step_up?: StepUpView[] }
    | undefined
  >;
  forgetOAuth(server: string): Promise<{ revoked?: boolean } | boolean | undefined>;
}

/** A user server's connection details, or why it cannot connect now. */
export type UserConnection =
  | {
      ok: true;
      url: string;
      headers: Array<[string, string]>;
      /** Every credential value, longest first: redacted from whatever the upstream sends back. */
      secrets: string[];
      cacheScope: string;
      /** OAuth servers: the current access token (sent as Authorization: Bearer by the transport). */
      token?: string;
      /** When the token expires (ms since epoch), so the session reuses it until shortly before. */
      token_expires_at?: number;
    }
  | {
      ok: false;
      status: "authorization_required" | "expired" | "error";
      message: string;
      authorization_url?: string;
      /** OAuth servers: their cache scope, which needs no token (their last listed tools stay usable). */
      cacheScope?: string;
      /** A step-up: the scopes the server asked for that the grant lacks (src/registry/step-up-scope.ts). */
      scope?: string;
    };

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function digest(text: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

const toMs = (v: number | string | undefined) =>
  v === undefined ? undefined : typeof v === "number" ? (v < 1e12 ? v * 1000 : v) : Date.parse(v) || undefined;

/** Credential values of resolved headers: each secret and each whole header value (longest first). */
function credentialValues(headers: Array<[string, string]>, secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) out.add(s);
  for (const [, v] of headers) if (v.length >= MIN_SECRET_LENGTH) out.add(v);
  return [...out].sort((a, b) => b.length - a.length);
}

/** The parts of the user object a connection is resolved from. */
export interface ConnectionSources {
  owner: string;
  servers: UserServers;
  secrets: UserSecrets;
  keys: () => Promise<LoadedKeys>;
  oauth: Partial<OAuthHooks>;
}

const OAUTH_UNAVAILABLE = "this gateway build has no OAuth client for upstream servers";

/** Resolves the connection of the user's server `name` (see {@link UserConnection}). */
export async function connectionFor(
  src: ConnectionSources,
  name: string,
  origin: string,
  /**
   * `signIn`: the upstream refused the current token; start a new sign-in and answer with its URL. `challenge`: what
   * the upstream's 401 named (its scope, its resource metadata), for the sign-in that `force` or `signIn` may start.
   */
  opts: { force?: boolean; signIn?: boolean; challenge?: SignInChallenge } = {},
): Promise<UserConnection> {
  const row = src.servers.row(name);
  if (!row) return { ok: false, status: "error", message: `you have no server named "${name}"` };
  if (row.auth_type === "none") {
    return {
      ok: true,
      url: row.url,
      headers: [],
      secrets: [],
      cacheScope: await digest(JSON.stringify([row.url, []])),
    };
  }
  if (row.auth_type === "oauth" && opts.signIn && src.oauth.startAuthorization) {
    const started = await src.oauth.startAuthorization(row.name, origin, opts.challenge);
    const cacheScope = `user:${await digest(src.owner)}:${row.name}`;
    return started.ok
      ? {
          ok: false,
          status: "authorization_required",
          message: `${row.name} refused its token`,
          authorization_url: started.authorization_url,
          cacheScope,
        }
      : { ok: false, status: "error", message: started.error };
  }
  if (row.auth_type === "oauth") return oauthConnection(src, row, origin, opts);
  const loaded = await src.keys();
  if (!loaded.ok) return { ok: false, status: "error", message: loaded.error };
  try {
    const templates = await src.servers.headers(loaded.keys, row);
    const refs = templates.flatMap(([, v]) =>
      [...v.matchAll(/\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!),
    );
    // Checked on every connection, not only by add_server: a secret stored after its server, or one whose hosts
    // changed, refuses a stored server on a host it does not allow.
    const refused = src.secrets.refusal(refs, hostOf(new URL(row.url)));
    if (refused) return { ok: false, status: "error", message: refused };
    const values = await src.secrets.values(loaded.keys, refs);
    const resolved = resolveUserHeaders(templates, values);
    if (!resolved.ok) {
      return {
        ok: false,
        status: "error",
        message: `secret ${resolved.missing.join(", ")} is not set: ${storeSecretsHint(resolved.missing, hostOf(new URL(row.url)))}`,
      };
    }
    const sorted = [...resolved.headers].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return {
      ok: true,
      url: row.url,
      headers: resolved.headers,
      secrets: credentialValues(resolved.headers, values.values()),
      cacheScope: await digest(JSON.stringify([row.url, sorted])),
    };
  } catch (err) {
    return { ok: false, status: "error", message: (err as Error).message };
  }
}

async function oauthConnection(
  src: ConnectionSources,
  row: UserServerRow,
  origin: string,
  opts: { force?: boolean; challenge?: SignInChallenge },
): Promise<UserConnection> {
  if (!src.oauth.oauthAccessToken) return { ok: false, status: "error", message: OAUTH_UNAVAILABLE };
  // With the origin, a sign-in that is needed comes back with its URL (the OAuth client starts the flow).
  const got = await src.oauth.oauthAccessToken(row.name, {
    origin,
    ...(opts.force ? { force: true } : {}),
    ...(opts.challenge ? { challenge: opts.challenge } : {}),
  });
  // Per user and server, not per token: a refreshed token keeps the cached catalog.
  const cacheScope = `user:${await digest(src.owner)}:${row.name}`;
  if (got.ok) {
    const expires = toMs(got.expires_at);
    return {
      ok: true,
      url: row.url,
      headers: [],
      secrets: credentialValues([], [got.token, `Bearer ${got.token}`]),
      cacheScope,
      token: got.token,
      ...(expires ? { token_expires_at: expires } : {}),
    };
  }
  const status = got.status === "expired" ? "expired" : got.status === "error" ? "error" : "authorization_required";
  const url = got.authorization_url;
  return { ok: false, status, message: got.message, cacheScope, ...(url ? { authorization_url: url } : {}) };
}

/** A server's auth as list_servers shows it (none and header servers: whether their credentials resolve). */
export async function authView(src: ConnectionSources, row: UserServerRow): Promise<UserAuthView> {
  if (row.auth_type === "none") return { type: "none", status: "connected" };
  if (row.auth_type === "headers") {
    const loaded = await src.keys();
    if (!loaded.ok) return { type: "headers", status: "error", message: loaded.error };
    try {
      const templates = await src.servers.headers(loaded.keys, row);
      const refs = templates.flatMap(([, v]) =>
        [...v.matchAll(/\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!),
      );
      const missing = refs.filter((n) => !src.secrets.has(n));
      const refused = src.secrets.refusal(refs, hostOf(new URL(row.url)));
      if (refused) return { type: "headers", status: "error", message: refused };
      const names = [...new Set(missing)];
      return names.length
        ? { type: "headers", status: "error", message: `secret ${names.join(", ")} is not set`, missing_secrets: names }
        : { type: "headers", status: "connected" };
    } catch (err) {
      return { type: "headers", status: "error", message: (err as Error).message };
    }
  }
  const st = await src.oauth.oauthStatus?.(row.name).catch(() => undefined);
  if (!st) return { type: "oauth", status: "authorization_required" };
  const known = ["connected", "authorization_required", "expired", "error"] as const;
  const status = (known as readonly string[]).includes(st.status) ? (st.status as UserAuthView["status"]) : "error";
  const expires = toMs(st.expires_at);
  return {
    type: "oauth",
    status,
    ...(st.scopes?.length ? { scopes: st.scopes } : {}),
    ...(expires ? { expires_at: new Date(expires).toISOString() } : {}),
    // Why it stopped working, so the user knows what to do. Written redacted by the OAuth client (it held the
    // tokens); cleaned again here as it leaves the user object.
    ...(st.message && status !== "connected" ? { message: cleanDetail(st.message) } : {}),
    // The tools waiting for more permission (a step-up), with the link that grants it: the server itself works.
    ...(st.step_up?.length ? { step_up: st.step_up } : {}),
  };
}
