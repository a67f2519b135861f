/**
 * @module auth/authorize-page
 * `/authorize` in OAuth mode: the gateway's own sign-in and consent page. There is no external identity provider:
 * the user signs in with their gateway API key (the `API_KEYS` secret is the user directory), sees which client
 * asks and where the tokens will go, and allows or denies. Allowing issues a grant for the key's user, so the
 * OAuth token carries the same user id an API key would. To sign users in through GitHub, Google or an
 * enterprise IdP instead, replace the key check below with that provider's flow (see the library's
 * docs/upstream-sign-in.md); everything else stays.
 *
 * The page follows the library's consent-page rules: client-supplied strings are escaped, the form carries only a
 * one-time handle bound to this browser by a `__Host-` cookie, and the headers forbid framing.
 */
import {
  AuthorizationError,
  type AuthRequest,
  CimdFetchError,
  type ConsentDescription,
  type OAuthHelpers,
} from "@cloudflare/workers-oauth-provider";
import { Hono } from "hono";
import { envValue, loadConfig } from "../config";
import type { Env } from "../env";
import { loadApiKeys, userForApiKey } from "./api-keys";
import { takeKeyAttempt } from "./key-attempts";

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function html(status: number, body: string, headers = new Headers()): Response {
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("cache-control", "no-store");
  headers.set("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  return new Response(`<!doctype html><meta charset="utf-8"><title>codemode-gateway</title>${body}`, {
    status,
    headers,
  });
}

function consentPage(details: ConsentDescription, handle: string): string {
  const name = escapeHtml(details.clientName);
  const origin = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : "This app registered itself; its name is not verified.";
  const loopback = details.redirectIsLoopback
    ? "<p><strong>This sends access to an app on your computer.</strong> Continue only if you just started signing in from it.</p>"
    : "";
  const scopes = details.scope.length ? `<p>Scopes: ${details.scope.map(escapeHtml).join(", ")}</p>` : "";
  return `<h1>Allow ${name} to use this MCP gateway as you?</h1>
<p>${origin} Access will be sent to <strong>${escapeHtml(details.redirectHost)}</strong>.</p>
${loopback}${scopes}
<form method="post">
  <input type="hidden" name="handle" value="${escapeHtml(handle)}">
  <p><label>Your gateway API key <input type="password" name="api_key" autocomplete="current-password"></label></p>
  <p><button name="decision" value="approve">Allow</button> <button name="decision" value="deny">Deny</button></p>
</form>`;
}

/** Errors before the client and redirect URI are trusted are shown here; later ones go back to the client. */
function authorizationFailure(err: unknown): Response {
  if (err instanceof AuthorizationError && err.redirectTo) return Response.redirect(err.redirectTo, 302);
  if (err instanceof AuthorizationError) return html(400, `<p>${escapeHtml(err.description ?? err.message)}</p>`);
  if (err instanceof CimdFetchError) return html(400, "<p>This app could not be verified.</p>");
  throw err;
}

/** `GET /authorize` shows the page; `POST /authorize` checks the key and completes or denies the grant. */
export const authorizeRoute = new Hono<{ Bindings: Env }>().on(["GET", "POST"], "/", async (c) => {
  const loaded = loadConfig(c.env.GATEWAY_CONFIG);
  const oauth = c.env.OAUTH_PROVIDER as OAuthHelpers | undefined;
  if (!loaded.ok || loaded.config.auth.mode !== "oauth" || !oauth) return c.notFound();
  const auth = loaded.config.auth;
  const request = c.req.raw;
  try {
    if (request.method === "GET") {
      const authRequest: AuthRequest = await oauth.parseAuthRequest(request);
      const details = await oauth.describeConsent(authRequest);
      const consent = await oauth.beginConsent(authRequest);
      return html(200, consentPage(details, consent.handle), consent.headers);
    }
    const form = await request.clone().formData();
    const handle = String(form.get("handle") ?? "");
    if (form.get("decision") !== "approve") {
      const denied = await oauth.denyConsent(request, handle);
      return new Response(null, { status: 302, headers: denied.headers });
    }
    // The same budget as the sign-in page: a key guessed here must not get a second allowance.
    const wait = await takeKeyAttempt(c.env, request);
    if (wait !== undefined) {
      const headers = new Headers({ "retry-after": String(wait) });
      return html(429, `<p>Too many sign-in attempts from your address. Try again in ${wait} s.</p>`, headers);
    }
    const keys = await loadApiKeys(
      auth.api_keys_secret,
      envValue(c.env as unknown as Record<string, unknown>, auth.api_keys_secret),
    );
    if (!keys.ok) return html(500, `<p>${escapeHtml(keys.error)}</p>`);
    const user = await userForApiKey(String(form.get("api_key") ?? ""), keys.entries);
    // The handle is not consumed yet: the browser's Back button returns to a form that still works.
    if (!user) return html(401, "<p>That API key is not valid. Go back and try again.</p>");
    const approved = await oauth.approveConsent(request, handle);
    const { redirectTo } = await oauth.completeAuthorization({
      request: approved.request,
      userId: user,
      metadata: {},
      scope: approved.request.scope,
      props: { user },
    });
    approved.headers.set("location", redirectTo);
    return new Response(null, { status: 302, headers: approved.headers });
  } catch (err) {
    return authorizationFailure(err);
  }
});
