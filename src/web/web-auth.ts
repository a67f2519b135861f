/**
 * @module web/web-auth
 * Who is looking at a web page, and whether a form really came from our own page.
 *
 * Sign-in is the API-key check of /authorize (src/auth/authorize-page.ts) in both `api_keys` and `oauth` mode; it
 * starts a web session in the user's own object (src/user/web-sessions.ts) and sets a cookie
 * `<user, url-encoded>.<secret>`: `cg_session` on http, `__Host-cg_session` (Secure) on https, always HttpOnly and
 * SameSite=Strict. Signing out deletes the session, so a copied cookie dies with it. A cookie also stops working
 * when its user's key leaves the API key secret. With authentication off every page acts as user `local`, for
 * this machine only (src/auth/local-only.ts), with a session made on first visit so forms carry a CSRF token too;
 * `allow_unauthenticated` does not open the pages to other machines.
 *
 * Every POST must carry the session's CSRF token AND, when the browser says where it comes from, come from our own
 * origin (`Origin`, `Sec-Fetch-Site: same-origin`). Unlike /mcp (src/auth/origin.ts), our own origin passes on a
 * non-loopback host too: DNS rebinding, the reason /mcp trusts it only on loopback, cannot carry a host-bound
 * SameSite=Strict cookie, and with authentication off the pages answer loopback Host names only. A page on
 * 127.0.0.1 at another port is same-site, so the browser does send the cookie: the Origin check and the token
 * refuse it.
 */
import type { Context, MiddlewareHandler } from "hono";
import { USER_ID, loadApiKeys } from "../auth/api-keys";
import { LOCAL_USER } from "../auth/authenticate";
import { notLocalReason } from "../auth/local-only";
import { type GatewayConfig, envValue, loadConfig } from "../config";
import type { Env } from "../env";
import type { UserObject } from "../user/user-object";
import { WEB_SESSION_TTL_MS } from "../user/web-sessions";
import { errorPage } from "./layout";
import type { WebEnv, WebSession } from "./web-types";

const COOKIE = "cg_session";
/** Form bodies are small (names, URLs, one secret); anything larger is refused before it is buffered. */
export const MAX_FORM_BYTES = 64 * 1024;

type WebSessionApi = Pick<UserObject, "createWebSession" | "checkWebSession" | "endWebSession">;

/** The user object's web-session RPC (named by the user id). */
export function webSessionsOf(env: Env, user: string): WebSessionApi {
  return env.USER.getByName(user) as unknown as WebSessionApi;
}

/** `__Host-cg_session` on https (Secure, host-only, Path=/), `cg_session` on plain http (local development). */
export function sessionCookieName(url: string): string {
  return new URL(url).protocol === "https:" ? `__Host-${COOKIE}` : COOKIE;
}

/** The Set-Cookie header value that signs a browser in (or out, with an empty value and max age 0). */
export function sessionCookie(url: string, value: string, maxAgeSeconds: number): string {
  const secure = new URL(url).protocol === "https:" ? "; Secure" : "";
  return `${sessionCookieName(url)}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

/** Splits a cookie value `<user>.<secret>`; undefined when it is not one. */
export function parseSessionCookie(value: string): { user: string; secret: string } | undefined {
  const dot = value.lastIndexOf(".");
  if (dot <= 0) return undefined;
  let user: string;
  try {
    user = decodeURIComponent(value.slice(0, dot));
  } catch {
    return undefined;
  }
  const secret = value.slice(dot + 1);
  if (!USER_ID.test(user) || !/^[A-Za-z0-9_-]{32,64}$/.test(secret)) return undefined;
  return { user, secret };
}

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The loaded configuration, or the error page that says what is wrong with it. */
export function webConfig(c: Context<WebEnv>): { ok: true; config: GatewayConfig } | { ok: false; response: Response } {
  const loaded = loadConfig(c.env.GATEWAY_CONFIG);
  if (loaded.ok) return loaded;
  return { ok: false, response: errorPage(c, 500, "Configuration error", loaded.error) };
}

/** Whether `user` may still sign in: `local` with authentication off, a user of the API key secret otherwise. */
export async function knownUser(env: Env, config: GatewayConfig, user: string): Promise<boolean> {
  if (config.auth.mode === "none") return user === LOCAL_USER;
  const keys = await loadApiKeys(
    config.auth.api_keys_secret,
    envValue(env as unknown as Record<string, unknown>, config.auth.api_keys_secret),
  );
  return keys.ok && keys.entries.some((entry) => entry.user === user);
}

/** The browser's live web session, from its cookie. */
async function cookieSession(c: Context<WebEnv>, config: GatewayConfig): Promise<WebSession | undefined> {
  const raw = readCookie(c.req.raw, sessionCookieName(c.req.url));
  const parsed = raw === undefined ? undefined : parseSessionCookie(raw);
  if (!parsed || !(await knownUser(c.env, config, parsed.user))) return undefined;
  const check = await webSessionsOf(c.env, parsed.user).checkWebSession(parsed.secret);
  return check.ok ? { user: parsed.user, secret: parsed.secret, csrf: check.csrf } : undefined;
}

/** Starts a web session for `user` and sets its cookie on the response being built. */
export async function startWebSession(c: Context<WebEnv>, user: string): Promise<WebSession> {
  const grant = await webSessionsOf(c.env, user).createWebSession();
  const value = `${encodeURIComponent(user)}.${grant.secret}`;
  c.header("set-cookie", sessionCookie(c.req.url, value, Math.floor(WEB_SESSION_TTL_MS / 1000)), { append: true });
  return { user, secret: grant.secret, csrf: grant.csrf };
}

/** The signed-in user of a page request (`local` with authentication off, on this machine), or undefined. */
export async function webUser(c: Context<WebEnv>): Promise<string | undefined> {
  const known = c.get("webSession");
  if (known) return known.user;
  const loaded = loadConfig(c.env.GATEWAY_CONFIG);
  if (!loaded.ok) return undefined;
  if (loaded.config.auth.mode === "none") return notLocalReason(c.req.raw) === undefined ? LOCAL_USER : undefined;
  return (await cookieSession(c, loaded.config))?.user;
}

const NEXT_BASE = "http://gateway.invalid";

/**
 * A same-site path to return to after sign-in; anything else becomes /connections. Judged as the browser will
 * read the Location: its URL parser drops tabs and line breaks and reads a backslash as `/`, so `/<TAB>/evil.example`
 * would be `//evil.example`, another host. Control characters, spaces and backslashes are refused, what is
 * left must resolve to our own origin, and the resolved path must not start with `//` (dot segments resolve
 * `/..//evil.example` to that).
 */
export function safeNext(next: string | undefined | null): string {
  const fallback = "/connections";
  if (!next || next.length > 1000 || !next.startsWith("/") || /[\x00-\x20\x7f\\]/.test(next)) return fallback;
  if (!URL.canParse(next, NEXT_BASE)) return fallback;
  const url = new URL(next, NEXT_BASE);
  if (url.origin !== NEXT_BASE) return fallback;
  // Dot segments are resolved here, so `/..//evil.example` or `/%2e%2e//evil.example` leaves the path
  // `//evil.example`: as a Location that is another host (a network-path reference). Our paths never start so.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") ? fallback : path;
}

/** The 403 page for a page request from another machine while authentication is off. */
export function notLocalPage(c: Context<WebEnv>, reason: string): Response {
  return errorPage(
    c,
    403,
    "Only on this machine",
    `Authentication is off (auth.mode = "none"), so these pages answer only on this machine (Host localhost, ` +
      `127.0.0.1 or [::1], from a loopback address), and ${reason}. Turn authentication on (auth.mode = ` +
      `"api_keys" or "oauth", see README "Deploy") to use them from elsewhere.`,
  );
}

/**
 * Lets only signed-in browsers through, with their session in `c.get("webSession")`. Others are sent to
 * `/signin?next=…` (GET) or refused (other methods). With authentication off, a local browser gets a session at once.
 */
export const requireWebUser: MiddlewareHandler<WebEnv> = async (c, next) => {
  const loaded = webConfig(c);
  if (!loaded.ok) return loaded.response;
  const { config } = loaded;
  if (config.auth.mode === "none") {
    const reason = notLocalReason(c.req.raw);
    if (reason !== undefined) return notLocalPage(c, reason);
  }
  let session = await cookieSession(c, config);
  // Only a navigation of the user's own makes a session: another site's request (which a Strict cookie never
  // accompanies) must not mint sessions that push the user's own out of the per-user cap.
  const site = c.req.header("sec-fetch-site");
  const ownNavigation =
    (c.req.method === "GET" || c.req.method === "HEAD") && (!site || site === "none" || site === "same-origin");
  if (!session && config.auth.mode === "none" && ownNavigation) session = await startWebSession(c, LOCAL_USER);
  if (!session) {
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      const url = new URL(c.req.url);
      return c.redirect(`/signin?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    return errorPage(c, 401, "Signed out", "Your session has ended. Sign in again, then repeat what you did.");
  }
  c.set("webSession", session);
  await next();
};

/** Why a state-changing request is not from our own page (browsers say where a form comes from), if it is not. */
export function crossSiteReason(request: Request): string | undefined {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return `it was sent from another site (Sec-Fetch-Site: ${site})`;
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== new URL(request.url).origin) return `it was sent from ${origin}`;
  return undefined;
}

/** Reads a POSTed urlencoded form once (bounded) into `c.get("form")`; the refusal page otherwise. */
export async function readForm(c: Context<WebEnv>): Promise<URLSearchParams | Response> {
  const existing = c.get("form");
  if (existing) return existing;
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return errorPage(c, 415, "Not a form", "Send the page's form (application/x-www-form-urlencoded).");
  }
  const length = Number(c.req.header("content-length") ?? Number.NaN);
  if (!(length <= MAX_FORM_BYTES)) {
    return errorPage(c, 413, "Too large", `Forms are limited to ${MAX_FORM_BYTES} bytes.`);
  }
  const form = new URLSearchParams(await c.req.text());
  c.set("form", form);
  return form;
}

function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The CSRF token that the signed-in session's forms carry as the hidden field `csrf`. */
export function csrfToken(c: Context<WebEnv>): string {
  return c.get("webSession")?.csrf ?? "";
}

/**
 * Refuses any non-GET request that is not from our own page: a cross-site Origin or Sec-Fetch-Site, or a missing
 * or wrong `csrf` field. Runs after requireWebUser; the form it read is `c.get("form")`.
 */
export const checkCsrf: MiddlewareHandler<WebEnv> = async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  const crossSite = crossSiteReason(c.req.raw);
  if (crossSite) return errorPage(c, 403, "Refused", `This request was refused because ${crossSite}.`);
  const form = await readForm(c);
  if (form instanceof Response) return form;
  const session = c.get("webSession");
  if (!session || !sameToken(form.get("csrf") ?? "", session.csrf)) {
    return errorPage(
      c,
      403,
      "Refused",
      "This form has expired or did not come from this site. Reload the page and try again.",
    );
  }
  await next();
};
