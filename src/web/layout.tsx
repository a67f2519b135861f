/**
 * @module web/layout
 * The one layout every web page uses, and the headers every page sends. Pages are server-rendered with Hono's JSX,
 * which escapes every interpolated string, so text from upstreams, models or users can never become markup; the
 * strict Content-Security-Policy below is the second line: no inline script or style, nothing from other origins,
 * no framing. Styles and scripts come from /web/assets (src/web/assets.ts). Pages work without JavaScript.
 */
import type { Context } from "hono";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { loadConfig } from "../config";
import type { WebEnv } from "./web-types";

/** The policy of every page (PLAN-15 "Web contract"). */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/** The links of the header's navigation, in order. */
export const NAV_LINKS: ReadonlyArray<{ href: string; label: string }> = [
  { href: "/connections", label: "Connections" },
  { href: "/dashboard", label: "Dashboard" },
];

/** Headers of every HTML page: the CSP, no caching (pages show the user's data), no sniffing, no referrer. */
export function pageHeaders(): Record<string, string> {
  return {
    "content-security-policy": PAGE_CSP,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
  };
}

function Header(props: { c: Context<WebEnv>; current: string }) {
  const session = props.c.get("webSession");
  // With authentication off every page is user `local`'s, on this machine, and a visit starts a session again:
  // signing out would do nothing.
  const loaded = loadConfig(props.c.env.GATEWAY_CONFIG);
  const authOff = loaded.ok && loaded.config.auth.mode === "none";
  return (
    <header class="site">
      <a class="brand" href="/connections">
        codemode-gateway
      </a>
      {session ? (
        <nav aria-label="Main">
          <ul>
            {NAV_LINKS.map((link) => (
              <li>
                <a href={link.href} aria-current={props.current.startsWith(link.href) ? "page" : undefined}>
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {session && !authOff ? (
        <form class="signout" method="post" action="/signout">
          <input type="hidden" name="csrf" value={session.csrf} />
          <span class="who">
            Signed in as <strong>{session.user}</strong>
          </span>{" "}
          <button type="submit">Sign out</button>
        </form>
      ) : null}
      {session && authOff ? (
        <p class="signout who">
          Authentication is off: this machine acts as <strong>{session.user}</strong>
        </p>
      ) : null}
    </header>
  );
}

/** The document head of every page; error pages leave out the script (they have nothing it enhances). */
function Head(props: { title: string; script?: boolean }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${props.title} · codemode-gateway`}</title>
      <link rel="stylesheet" href="/web/assets/style.css" />
      {props.script ? <script src="/web/assets/app.js" defer></script> : null}
    </head>
  );
}

/** A full page: the layout around `body`, with the page headers. */
export function page(c: Context<WebEnv>, title: string, body: Child, status = 200): Response | Promise<Response> {
  const path = new URL(c.req.url).pathname;
  const document = (
    <html lang="en">
      <Head title={title} script />
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <Header c={c} current={path} />
        <main id="main" tabindex={-1}>
          {body}
        </main>
      </body>
    </html>
  );
  return c.html(html`<!doctype html>${document}`, status as ContentfulStatusCode, pageHeaders());
}

/** A page that says what went wrong and what to do. */
export function errorPage(c: Context<WebEnv>, status: number, title: string, message: string): Response {
  const document = (
    <html lang="en">
      <Head title={title} />
      <body>
        <main id="main">
          <h1>{title}</h1>
          <p role="alert">{message}</p>
          <p>
            <a href="/connections">Back to your connections</a>
          </p>
        </main>
      </body>
    </html>
  );
  const headers = { ...pageHeaders(), "content-type": "text/html; charset=utf-8" };
  return c.body(`<!doctype html>${document.toString()}`, status as ContentfulStatusCode, headers);
}
