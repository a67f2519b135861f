/**
 * The web pages' sign-in, sign-out and form protection, driven in a real headless Chromium against the real
 * gateway (workerd). The cross-site attacker is a real page on another port of 127.0.0.1: same site, so the
 * browser sends the SameSite=Strict cookie, and only the Origin check and the CSRF token stand in the way.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { type Gateway, startGateway } from "../support/gateway";
import { rawRequest } from "../support/raw-http";

const ALICE_KEY = `alice_${randomBytes(24).toString("base64url")}`;
const API_KEYS = `alice:${ALICE_KEY}`;
const WORKSPACE = [{ name: "workspace", url: "builtin:workspace" }];

/** A page on another origin of the same site that posts a form to the gateway as soon as it loads. */
function startAttacker(target: string, fields: Record<string, string>): Promise<Server> {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join("");
  const html = `<!doctype html><form id="f" method="post" action="${target}">${inputs}</form><script>document.getElementById("f").submit()</script>`;
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function signIn(browser: TestBrowser, gateway: Gateway, key: string) {
  const page = await browser.newPage();
  await page.goto(new URL("/connections", gateway.url).href);
  await page.getByLabel("Gateway API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
  return page;
}

describe("web sign-in (api_keys mode)", () => {
  let gateway: Gateway;
  let browser: TestBrowser;
  before(async () => {
    gateway = await startGateway({ config: { servers: WORKSPACE, auth: { mode: "api_keys" } }, vars: { API_KEYS } });
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("signing in with a valid key returns to the page asked for, signed in as the key's user", async () => {
    browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(new URL("/connections", gateway.url).href);
      assert.equal(new URL(page.url()).pathname, "/signin");
      assert.equal(new URL(page.url()).searchParams.get("next"), "/connections");
      await browser.screenshot(page, "signin");
      await page.getByLabel("Gateway API key").fill(ALICE_KEY);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname === "/connections");
      assert.match((await page.locator("header").textContent()) ?? "", /Signed in as alice/);
      await browser.screenshot(page, "signed-in");
    } finally {
      await browser.close();
    }
  });

  test("a wrong key shows an error, stays on the sign-in page and sets no cookie", async () => {
    browser = await launchBrowser();
    try {
      const page = await signIn(browser, gateway, `${ALICE_KEY}x`);
      assert.equal(new URL(page.url()).pathname, "/signin");
      assert.match((await page.getByRole("alert").textContent()) ?? "", /That API key is not valid/);
      assert.deepEqual(await browser.context.cookies(), []);
      await browser.screenshot(page, "signin-wrong-key");
    } finally {
      await browser.close();
    }
  });

  test("the session cookie is cg_session on http, HttpOnly and SameSite=Strict, holding no API key", async () => {
    browser = await launchBrowser();
    try {
      await signIn(browser, gateway, ALICE_KEY);
      const cookies = await browser.context.cookies();
      assert.equal(cookies.length, 1);
      const [cookie] = cookies;
      assert.equal(cookie!.name, "cg_session");
      assert.equal(cookie!.httpOnly, true);
      assert.equal(cookie!.sameSite, "Strict");
      assert.equal(cookie!.path, "/");
      assert.match(cookie!.value, /^alice\.[A-Za-z0-9_-]{43}$/);
      assert.ok(!cookie!.value.includes(ALICE_KEY));
    } finally {
      await browser.close();
    }
  });

  test("signing out ends the session: the old cookie no longer opens /connections", async () => {
    browser = await launchBrowser();
    try {
      const page = await signIn(browser, gateway, ALICE_KEY);
      const [cookie] = await browser.context.cookies();
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL((url) => url.pathname === "/signin");
      assert.match((await page.getByRole("status").textContent()) ?? "", /You are signed out/);
      assert.deepEqual(await browser.context.cookies(), []);
      const replay = await rawRequest(new URL("/connections", gateway.url), {
        headers: { cookie: `cg_session=${cookie!.value}` },
      });
      assert.equal(replay.status, 303);
      assert.equal(replay.headers.location, "/signin?next=%2Fconnections");
    } finally {
      await browser.close();
    }
  });

  test("a form posted from another origin of the same site is refused although the cookie and token are sent", async () => {
    browser = await launchBrowser();
    let attacker: Server | undefined;
    try {
      const page = await signIn(browser, gateway, ALICE_KEY);
      const csrf = await page.locator('form[action="/signout"] input[name="csrf"]').inputValue();
      attacker = await startAttacker(new URL("/signout", gateway.url).href, { csrf });
      const evil = await browser.newPage();
      const refused = evil.waitForResponse((r) => r.url().endsWith("/signout"));
      await evil.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      const response = await refused;
      assert.equal(response.status(), 403);
      assert.match((await response.request().allHeaders()).cookie ?? "", /cg_session=/);
      assert.match(await response.text(), /sent from (another site|http:\/\/127\.0\.0\.1:)/);
      await page.reload();
      assert.match((await page.locator("header").textContent()) ?? "", /Signed in as alice/);
    } finally {
      attacker?.close();
      await browser.close();
    }
  });

  test("a same-origin POST without the CSRF token is refused and the session stays signed in", async () => {
    browser = await launchBrowser();
    try {
      const page = await signIn(browser, gateway, ALICE_KEY);
      const response = await browser.context.request.post(new URL("/signout", gateway.url).href, {
        form: { csrf: "not-the-token" },
        headers: { origin: gateway.url.origin },
        maxRedirects: 0,
      });
      assert.equal(response.status(), 403);
      assert.match(await response.text(), /did not come from this site/);
      await page.reload();
      assert.match((await page.locator("header").textContent()) ?? "", /Signed in as alice/);
    } finally {
      await browser.close();
    }
  });

  test("pages send the strict Content-Security-Policy and forbid framing", async () => {
    const res = await fetch(new URL("/signin", gateway.url));
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("content-security-policy"),
      "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(res.headers.get("cache-control"), "no-store");
  });

  // Last in this file: it spends the address's sign-in budget, which the tests above also draw from.
  test("sign-in attempts are rate-limited per address: once the budget is spent even a valid key gets 429", async () => {
    const attempt = (key: string) =>
      fetch(new URL("/signin", gateway.url), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ api_key: key }).toString(),
        redirect: "manual",
      });
    let limited: Response | undefined;
    for (let i = 0; i < 11 && !limited; i++) {
      const res = await attempt(`${ALICE_KEY}x`);
      if (res.status === 429) limited = res;
      else assert.equal(res.status, 401);
    }
    assert.ok(limited, "no 429 within 11 attempts");
    assert.match(limited.headers.get("retry-after") ?? "", /^\d+$/);
    assert.match(await limited.text(), /Too many sign-in attempts/);
    assert.equal((await attempt(ALICE_KEY)).status, 429);
  });
});

describe("web pages with authentication off", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({ config: { servers: WORKSPACE } });
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("a browser on this machine opens /connections as user local without signing in", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(new URL("/connections", gateway.url).href);
      assert.equal(new URL(page.url()).pathname, "/connections");
      assert.match(
        (await page.locator("header").textContent()) ?? "",
        /Authentication is off: this machine acts as local/,
      );
      // Signing out would do nothing: the next visit starts a session again.
      assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
    } finally {
      await browser.close();
    }
  });

  test("a request from another site gets no session, so it cannot push out the user's own", async () => {
    const navigation = await rawRequest(new URL("/connections", gateway.url), {
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(navigation.status, 303);
    assert.equal(navigation.headers["set-cookie"], undefined);
    const post = await rawRequest(new URL("/connections/add", gateway.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: "name=x&url=https%3A%2F%2Fevil.example%2Fmcp",
    });
    assert.equal(post.status, 401);
    assert.equal(post.headers["set-cookie"], undefined);
  });

  test("a page request for another host name gets 403 saying authentication is off", async () => {
    const res = await rawRequest(new URL("/connections", gateway.url), { headers: { host: "gateway.example.com" } });
    assert.equal(res.status, 403);
    assert.match(res.body, /Authentication is off/);
    assert.equal(res.headers["set-cookie"], undefined);
  });
});

describe("web sign-in in OAuth mode", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({
      config: { servers: WORKSPACE, auth: { mode: "oauth" } },
      vars: { API_KEYS },
      bindings: { OAUTH_KV: { type: "kv_namespace", id: "web-oauth-test" } },
    });
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("the same API-key form signs a browser in behind the OAuth provider", async () => {
    const browser = await launchBrowser();
    try {
      const page = await signIn(browser, gateway, ALICE_KEY);
      assert.equal(new URL(page.url()).pathname, "/connections");
      assert.match((await page.locator("header").textContent()) ?? "", /Signed in as alice/);
    } finally {
      await browser.close();
    }
  });
});
