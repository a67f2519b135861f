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
import { type Context, Hono } from "hono";
import { html } from "hono/html";
import { USER_ID } from "../auth/api-keys";
import { clientMetadataDocument } from "../user/oauth/client-identity";
import { FLOW_TTL_MS, flowOfState } from "../user/oauth/oauth-flows";
import type { CallbackParams } from "../user/oauth/oauth-types";
import { userObject } from "../user/user-api";
import { errorPage, page } from "./layout";
import { knownUser, requireWebUser, webConfig } from "./web-auth";
import type { WebEnv } from "./web-types";

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

/** The outcome page of a sign-in that failed: the reason, escaped by the layout. */
function failed(c: Context<WebEnv>, title: string, message: string): Response {
  const response = errorPage(c, 400, title, message);
  response.headers.set("referrer-policy", "no-referrer");
  return response;
}

/** Whether `link` is on the gateway's own origin (the callback only links to its own sign-in pages). */
const sameOrigin = (link: string, here: string) => URL.canParse(link) && new URL(link).origin === new URL(here).origin;

const param = (url: URL, name: string): string | undefined => {
  const value = url.searchParams.get(name);
  return value === null ? undefined : value.slice(0, MAX_PARAM_CHARS);
};

/** Mounted at `/connections` (src/app.ts). */
export const oauthRoutes = new Hono<WebEnv>();

oauthRoutes.get("/authorize", requireWebUser, async (c) => {
  const flow = c.req.query("flow") ?? "";
  if (!FLOW_ID.test(flow)) return failed(c, "Sign-in link not valid", "This sign-in link is incomplete.");
  const user = c.get("webSession").user;
  const begun = await userObject(c.env, user).beginAuthorization(flow);
  if (!begun.ok) return failed(c, "Sign-in link not usable", begun.error);
  // The authorization server's URL carries the state: no Referer to it, nothing cached. Headers go through the
  // context: Hono merges them (the web session cookie requireWebUser may set) into the response.
  c.header("cache-control", "no-store");
  c.header("referrer-policy", "no-referrer");
  c.header("set-cookie", flowCookie(c.req.url, flow, encodeURIComponent(user), Math.floor(FLOW_TTL_MS / 1000)), {
    append: true,
  });
  return c.redirect(begun.location, 302);
});

oauthRoutes.get("/callback", async (c) => {
  const url = new URL(c.req.url);
  const state = param(url, "state") ?? "";
  const flow = flowOfState(state);
  if (!flow || !FLOW_ID.test(flow)) {
    return failed(c, "Sign-in failed", "The authorization server's answer does not name a sign-in of this gateway.");
  }
  const raw = readCookie(c.req.raw, flowCookieName(c.req.url, flow));
  let user: string | undefined;
  try {
    user = raw ? decodeURIComponent(raw) : undefined;
  } catch {
    user = undefined;
  }
  // Only a user who may sign in reaches a user object (a crafted cookie must not create objects at will: the
  // format alone lets anyone name a new object, and each one creates its storage).
  const loaded = webConfig(c);
  if (!loaded.ok) return loaded.response;
  if (!user || !USER_ID.test(user) || !(await knownUser(c.env, loaded.config, user))) {
    return failed(
      c,
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
  c.header("set-cookie", flowCookie(c.req.url, flow, "", 0), { append: true });
  if (done.ok) {
    return page(
      c,
      `Connected ${done.server}`,
      html`<p>You can close this tab: your code can call this server now.</p>
        <p><a href="/connections">Back to your connections</a></p>`,
    );
  }
  const title = done.server ? `Could not connect ${done.server}` : "Sign-in failed";
  // Refused for scopes asked for beyond what the server needs: the one narrower sign-in, a gateway link.
  const retry = done.retry && sameOrigin(done.retry, c.req.url) ? done.retry : undefined;
  if (!retry) return failed(c, title, done.error);
  c.header("referrer-policy", "no-referrer");
  return page(
    c,
    title,
    html`<p role="alert">${done.error}</p>
      <p><a href="${retry}">Sign in to ${done.server} again</a></p>
      <p><a href="/connections">Back to your connections</a></p>`,
    400,
  );
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
