/**
 * @module web/oauth-routes
 * The browser's part of signing in to a user's upstream server (src/user/oauth):
 *
 * - `GET /connections/authorize?flow=<id>`: the link add_server and authorize_server hand out. Only the signed-in
 *   gateway user whose flow it is gets through (another user's flow id is simply not found in their own object),
 *   so nobody can get their upstream account connected to someone else by sending a link. It sets a short-lived
 *   `SameSite=Lax` cookie naming the user for this flow (the session cookie is `SameSite=Strict`, which the
 *   authorization server's cross-site redirect back does not carry) and redirects to the authorization server.
 * - `GET /connections/callback`: finds the flow from the `state`, the user from the flow's cookie, and lets that
 *   user's object check the state and the `iss`, and exchange the code. A small page says how it went.
 * - `GET /connections/client-metadata.json`: the gateway's Client ID Metadata Document, over https only.
 */
import { Hono } from "hono";
import { html } from "hono/html";
import { LOCAL_USER, authenticate } from "../auth/authenticate";
import { notLocalReason } from "../auth/local-only";
import { loadConfig } from "../config";
import type { Env } from "../env";
import { clientMetadataDocument } from "../user/oauth/client-identity";
import { FLOW_TTL_MS, flowOfState } from "../user/oauth/oauth-flows";
import type { CallbackParams } from "../user/oauth/oauth-types";
import { userObject } from "../user/user-object";

const FLOW_ID = /^[A-Za-z0-9_-]{16,64}$/;
const MAX_PARAM_CHARS = 4_096;

/** The flow cookie: per flow, so two sign-ins in two tabs do not overwrite each other. */
function flowCookieName(url: string, flow: string): string {
  return `${new URL(url).protocol === "https:" ? "__Host-" : ""}cg_oauth_${flow}`;
}

function flowCookie(url: string, flow: string, value: string, maxAgeSeconds: number): string {
  const secure = new URL(url).protocol === "https:" ? "; Secure" : "";
  return `${flowCookieName(url, flow)}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The signed-in gateway user of a page request, or undefined (placeholder until the web sign-in lands). */
async function signedInUser(c: { req: { raw: Request }; env: Env }): Promise<string | undefined> {
  const config = loadConfig(c.env.GATEWAY_CONFIG);
  if (!config.ok) return undefined;
  if (config.config.auth.mode === "none") return notLocalReason(c.req.raw) === undefined ? LOCAL_USER : undefined;
  const auth = await authenticate(c.req.raw, c.env, config.config.auth);
  return auth.ok ? auth.user : undefined;
}

/** A small page: the outcome of a sign-in, every value escaped, nothing loaded from anywhere. */
function resultPage(status: 200 | 400 | 401 | 404, title: string, message: string): Response {
  const body = html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main><h1>${title}</h1><p>${message}</p></main></body>
</html>`;
  return new Response(String(body), {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    },
  });
}

const param = (url: URL, name: string): string | undefined => {
  const value = url.searchParams.get(name);
  return value === null ? undefined : value.slice(0, MAX_PARAM_CHARS);
};

/** Mounted at `/connections` (src/app.ts). */
export const oauthRoutes = new Hono<{ Bindings: Env }>();

oauthRoutes.get("/authorize", async (c) => {
  const flow = c.req.query("flow") ?? "";
  if (!FLOW_ID.test(flow)) return resultPage(400, "Sign-in link not valid", "This sign-in link is incomplete.");
  const user = await signedInUser(c);
  if (!user) {
    return resultPage(
      401,
      "Sign in first",
      "Sign in to the gateway as the user who asked for this link, then open it again.",
    );
  }
  const begun = await userObject(c.env, user).beginAuthorization(flow);
  if (!begun.ok) return resultPage(404, "Sign-in link not usable", begun.error);
  const headers = new Headers({
    location: begun.location,
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  });
  headers.append("set-cookie", flowCookie(c.req.url, flow, encodeURIComponent(user), Math.floor(FLOW_TTL_MS / 1000)));
  return new Response(null, { status: 302, headers });
});

oauthRoutes.get("/callback", async (c) => {
  const url = new URL(c.req.url);
  const state = param(url, "state") ?? "";
  const flow = flowOfState(state);
  if (!flow || !FLOW_ID.test(flow)) {
    return resultPage(
      400,
      "Sign-in failed",
      "The authorization server's answer does not name a sign-in of this gateway.",
    );
  }
  const raw = readCookie(c.req.raw, flowCookieName(c.req.url, flow));
  let user: string | undefined;
  try {
    user = raw ? decodeURIComponent(raw) : undefined;
  } catch {
    user = undefined;
  }
  if (!user) {
    return resultPage(
      400,
      "Sign-in failed",
      "This sign-in was started in another browser, or more than 15 minutes ago. Open a new sign-in link from the same browser.",
    );
  }
  const params: CallbackParams = { flow, state };
  for (const name of ["code", "error", "error_description", "iss"] as const) {
    const value = param(url, name);
    if (value !== undefined) params[name] = value;
  }
  const done = await userObject(c.env, user).completeAuthorization(params);
  const response = done.ok
    ? resultPage(200, `Connected ${done.server}`, "You can close this tab: your code can call this server now.")
    : resultPage(400, done.server ? `Could not connect ${done.server}` : "Sign-in failed", done.error);
  response.headers.append("set-cookie", flowCookie(c.req.url, flow, "", 0));
  return response;
});

oauthRoutes.get("/client-metadata.json", (c) => {
  const document = clientMetadataDocument(new URL(c.req.url).origin);
  if (!document) {
    return c.json(
      {
        error: "the Client ID Metadata Document is served over https only; over http the gateway registers dynamically",
      },
      404,
    );
  }
  return c.json(document, 200, { "cache-control": "public, max-age=3600" });
});
