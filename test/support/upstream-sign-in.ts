/**
 * The browser's part of signing a gateway user in to an OAuth upstream, done with plain `fetch` and no browser:
 * open the gateway's sign-in link (it redirects to the authorization server and sets the flow cookie), answer the
 * test upstream's consent page (test/support/oauth-upstream.mjs), and bring the redirect back to the gateway's
 * callback with the flow cookie. Each step is returned so tests can replay or tamper with one.
 */
import assert from "node:assert/strict";

/** 32 random bytes as hex: a CONNECTIONS_KEY for tests. */
export const TEST_CONNECTIONS_KEY = "5f1c9a3e7b2d4c6e8a0f1b3d5c7e9a2b4d6f8a0c2e4b6d8f0a1c3e5b7d9f1a3c";

/** Presses Allow or Deny on the upstream's consent page (or takes its immediate redirect with autoApprove). */
export async function consent(authorizationUrl: URL, decision: "allow" | "deny" = "allow"): Promise<URL> {
  const page = await fetch(authorizationUrl, { redirect: "manual" });
  if (page.status === 302) return new URL(page.headers.get("location") ?? "");
  assert.equal(page.status, 200, `the authorization endpoint shows its consent page (got ${page.status})`);
  const request = /name="request" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(request, "the consent page carries its request id");
  const answer = await fetch(new URL("/consent", authorizationUrl), {
    method: "POST",
    body: new URLSearchParams({ request, decision }),
    redirect: "manual",
  });
  assert.equal(answer.status, 302, "the consent form redirects back to the client");
  return new URL(answer.headers.get("location") ?? "");
}

export interface SignInSteps {
  /** The authorization server URL the gateway link redirected to. */
  authorizationServerUrl: URL;
  /** `name=value` of the flow cookie the gateway set. */
  flowCookie: string;
  /** The gateway callback URL the authorization server sent the browser back to. */
  callbackUrl: URL;
  /** The callback's answer. */
  status: number;
  page: string;
}

/** Opens the gateway link `authorizationUrl` (as the browser with `cookie`, if any) and returns its redirect. */
export async function openLink(authorizationUrl: string, cookie?: string): Promise<Response> {
  return fetch(authorizationUrl, { redirect: "manual", headers: cookie ? { cookie } : {} });
}

/** The Set-Cookie of the flow cookie on the sign-in link's answer (a web session cookie may come with it). */
export function flowSetCookie(response: Response): string | undefined {
  return response.headers.getSetCookie().find((c) => /^(__Host-)?cg_oauth_/.test(c));
}

/** Sends the browser back to the gateway's callback with `cookies`. */
export async function callback(url: URL, cookies: string[]): Promise<{ status: number; page: string }> {
  const response = await fetch(url, { redirect: "manual", headers: { cookie: cookies.filter(Boolean).join("; ") } });
  return { status: response.status, page: await response.text() };
}

/** The whole sign-in (see the module comment); `cookie` is the gateway web session, when authentication is on. */
export async function signIn(
  authorizationUrl: string,
  options: { cookie?: string; decision?: "allow" | "deny" } = {},
): Promise<SignInSteps> {
  const link = await openLink(authorizationUrl, options.cookie);
  assert.equal(link.status, 302, `the sign-in link redirects to the authorization server (got ${link.status})`);
  const flowCookie = (flowSetCookie(link) ?? "").split(";")[0] ?? "";
  assert.match(flowCookie, /^(__Host-)?cg_oauth_/, "the sign-in link sets the flow cookie");
  const authorizationServerUrl = new URL(link.headers.get("location") ?? "");
  const callbackUrl = await consent(authorizationServerUrl, options.decision);
  const done = await callback(callbackUrl, [flowCookie, options.cookie ?? ""]);
  return { authorizationServerUrl, flowCookie, callbackUrl, ...done };
}

/** Signs a browser in to the gateway's web pages with an API key (POST /signin); returns its session cookie. */
export async function webSignIn(gatewayUrl: URL, apiKey: string): Promise<string> {
  const response = await fetch(new URL("/signin", gatewayUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ api_key: apiKey, next: "/connections" }),
    redirect: "manual",
  });
  assert.equal(response.status, 303, "signing in redirects");
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  assert.match(cookie, /^(__Host-)?cg_session=/);
  return cookie;
}
