/**
 * @module web/signin-page
 * `GET/POST /signin` and `POST /signout`. Sign-in is the gateway's own: the API key check of /authorize, in
 * `api_keys` and `oauth` mode alike (the API key secret is the user directory). Attempts are rate-limited per
 * peer address, so the form cannot be used to guess keys faster than /mcp could be. The sign-in form is checked for
 * a cross-site origin too (login CSRF: another site must not sign a browser in as the attacker).
 */
import { type Context, Hono } from "hono";
import { loadApiKeys, userForApiKey } from "../auth/api-keys";
import { takeKeyAttempt } from "../auth/key-attempts";
import { notLocalReason } from "../auth/local-only";
import { envValue } from "../config";
import { page } from "./layout";
import {
  checkCsrf,
  crossSiteReason,
  notLocalPage,
  readForm,
  requireWebUser,
  safeNext,
  sessionCookie,
  startWebSession,
  webConfig,
  webSessionsOf,
  webUser,
} from "./web-auth";
import type { WebEnv } from "./web-types";

function SignInForm(props: { next: string; error?: string | undefined; notice?: string | undefined }) {
  return (
    <>
      <h1>Sign in</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" role="alert" id="signin-error">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/signin">
        <input type="hidden" name="next" value={props.next} />
        <label for="api_key">Gateway API key</label>
        <input
          id="api_key"
          name="api_key"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          aria-describedby={props.error ? "api_key-hint signin-error" : "api_key-hint"}
          aria-invalid={props.error ? "true" : undefined}
        />
        <p class="hint" id="api_key-hint">
          The key your MCP client sends as <code>Authorization: Bearer …</code>. It is checked, never stored.
        </p>
        <div class="actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
    </>
  );
}

function signInPage(c: Context<WebEnv>, next: string, status = 200, error?: string, notice?: string) {
  return page(c, "Sign in", <SignInForm next={next} error={error} notice={notice} />, status);
}

function authOffPage(c: Context<WebEnv>, signedOut: boolean) {
  return page(
    c,
    "No sign-in needed",
    <>
      <h1>No sign-in needed</h1>
      {signedOut ? (
        <p class="notice" role="status">
          You are signed out.
        </p>
      ) : null}
      <p>
        Authentication is off, so this machine's browser acts as user <code>local</code>.
      </p>
      <p>
        <a href="/connections">Open your connections</a>
      </p>
    </>,
  );
}

/** The sign-in and sign-out routes. */
export const signinRoutes = new Hono<WebEnv>()
  .get("/signin", async (c) => {
    const loaded = webConfig(c);
    if (!loaded.ok) return loaded.response;
    const next = safeNext(c.req.query("next"));
    const signedOut = c.req.query("signed_out") === "1";
    if (loaded.config.auth.mode === "none") {
      const reason = notLocalReason(c.req.raw);
      return reason === undefined ? authOffPage(c, signedOut) : notLocalPage(c, reason);
    }
    if (!signedOut && (await webUser(c))) return c.redirect(next, 303);
    return signInPage(c, next, 200, undefined, signedOut ? "You are signed out." : undefined);
  })
  .post("/signin", async (c) => {
    const loaded = webConfig(c);
    if (!loaded.ok) return loaded.response;
    const { auth } = loaded.config;
    const crossSite = crossSiteReason(c.req.raw);
    if (crossSite) return signInPage(c, "/connections", 403, `Sign-in refused because ${crossSite}.`);
    const form = await readForm(c);
    if (form instanceof Response) return form;
    const next = safeNext(form.get("next"));
    if (auth.mode === "none") return c.redirect(next, 303);
    const seconds = await takeKeyAttempt(c.env, c.req.raw);
    if (seconds !== undefined) {
      c.header("retry-after", String(seconds));
      return signInPage(c, next, 429, `Too many sign-in attempts from your address. Try again in ${seconds} s.`);
    }
    const keys = await loadApiKeys(
      auth.api_keys_secret,
      envValue(c.env as unknown as Record<string, unknown>, auth.api_keys_secret),
    );
    if (!keys.ok) return signInPage(c, next, 500, keys.error);
    const user = await userForApiKey(form.get("api_key") ?? "", keys.entries);
    if (!user) return signInPage(c, next, 401, "That API key is not valid. Check it and try again.");
    await startWebSession(c, user);
    return c.redirect(next, 303);
  })
  .post("/signout", requireWebUser, checkCsrf, async (c) => {
    const session = c.get("webSession");
    await webSessionsOf(c.env, session.user).endWebSession(session.secret);
    c.header("set-cookie", sessionCookie(c.req.url, "", 0));
    return c.redirect("/signin?signed_out=1", 303);
  });
