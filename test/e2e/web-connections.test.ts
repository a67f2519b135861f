/**
 * /connections in a real headless Chromium against the real gateway (workerd) and a real OAuth-protected MCP
 * upstream (test/support/oauth-upstream.mjs: the MCP SDK's auth router and bearer middleware). The browser reaches
 * the gateway as `localhost` and the upstream as `127.0.0.1`, so the authorization server's redirect back is
 * cross-site, as it is for a deployed gateway: the SameSite=Strict session cookie does not ride along.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { addServerOnPage, serverRow as row, signInPage } from "../support/connections-page";
import { type Gateway, startGateway } from "../support/gateway";
import { type OAuthUpstream, startOAuthUpstream } from "../support/oauth-upstream.mjs";

const ALICE_KEY = `alice_${randomBytes(24).toString("base64url")}`;
const BOB_KEY = `bob_${randomBytes(24).toString("base64url")}`;
const SECRET_VALUE = `canary_${randomBytes(18).toString("hex")}`;
const HOSTILE = `<img src=x id=injected onerror="document.title='pwned'">`;

describe("the connections page", () => {
  let gateway: Gateway;
  let upstream: OAuthUpstream;
  let alice: TestBrowser;
  let bob: TestBrowser;
  let page: Page;
  /** The gateway as the browser reaches it: `localhost`, another site than the upstream's 127.0.0.1. */
  let base: string;

  const signIn = (browser: TestBrowser, key: string) => signInPage(browser, base, key);
  const addServer = (name: string, url: string, headers: Array<[string, string]> = []) =>
    addServerOnPage(page, base, name, url, headers);

  before(async () => {
    upstream = await startOAuthUpstream({ autoApprove: false });
    gateway = await startGateway({
      config: {
        servers: [{ name: "workspace", url: "builtin:workspace", description: `Files ${HOSTILE}` }],
        auth: { mode: "api_keys" },
        network: { allow_loopback: true },
      },
      vars: { API_KEYS: `alice:${ALICE_KEY}\nbob:${BOB_KEY}`, CONNECTIONS_KEY: randomBytes(32).toString("hex") },
    });
    base = `http://localhost:${gateway.url.port}`;
    alice = await launchBrowser();
    bob = await launchBrowser();
    page = await signIn(alice, ALICE_KEY);
  });
  after(async () => {
    await alice?.close();
    await bob?.close();
    await gateway?.dispose();
    await upstream?.stop();
  });

  test("gateway servers are listed read-only, with the operator's description shown as text", async () => {
    await page.goto(`${base}/connections`);
    const gatewayRow = row(page, "workspace");
    assert.equal(await gatewayRow.locator("td").nth(1).textContent(), `Files ${HOSTILE}`);
    assert.equal(await page.locator("#injected").count(), 0);
    assert.equal(await gatewayRow.locator("button, form").count(), 0);
  });

  test("every form control has a label and every button an accessible name", async () => {
    await page.goto(`${base}/connections`);
    const unlabelled: string[] = [];
    for (const input of await page.locator("input:not([type=hidden])").all()) {
      const id = await input.getAttribute("id");
      if (!id || (await page.locator(`label[for="${id}"]`).count()) !== 1) {
        unlabelled.push(`input ${await input.getAttribute("name")}`);
      }
    }
    for (const button of await page.locator("button").all()) {
      if (((await button.textContent()) ?? "").trim() === "") unlabelled.push("a button without text");
    }
    assert.deepEqual(unlabelled, []);
    assert.equal(await page.locator("main#main").count(), 1);
    assert.equal(await page.locator('nav[aria-label="Main"] a[aria-current="page"]').textContent(), "Connections");
  });

  test("a new secret without Allowed hosts is refused on the page with what to write", async () => {
    await page.goto(`${base}/connections`);
    await page.getByLabel("Secret name").fill("NOTES_TOKEN");
    await page.getByLabel("Secret value").fill(SECRET_VALUE);
    await page.getByRole("button", { name: "Save secret" }).click();
    await page.waitForLoadState();
    assert.match(await page.content(), /give the hosts it may be sent to/);
    assert.ok(!(await page.content()).includes(SECRET_VALUE));
  });

  test("a saved secret is listed by name and time only; its value never reaches the page", async () => {
    await page.goto(`${base}/connections`);
    await page.getByLabel("Secret name").fill("NOTES_TOKEN");
    await page.getByLabel("Secret value").fill(SECRET_VALUE);
    await page.getByLabel("Allowed hosts").fill("127.0.0.1");
    await page.getByRole("button", { name: "Save secret" }).click();
    await page.waitForURL((url) => url.searchParams.get("done") === "secret_saved");
    assert.match((await page.getByRole("status").textContent()) ?? "", /Saved the secret NOTES_TOKEN/);
    // When it was set, as the dashboard shows times (the ISO time is the element's datetime).
    assert.match((await row(page, "NOTES_TOKEN").textContent()) ?? "", /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    assert.match((await row(page, "NOTES_TOKEN").locator("time").getAttribute("datetime")) ?? "", /^\d{4}-\d\d-\d\dT/);
    assert.ok(!(await page.content()).includes(SECRET_VALUE));
    await alice.screenshot(page, "connections-secret-saved");
  });

  test("a header server is listed with its header names; the header value never reaches the page", async () => {
    await addServer("headered", "http://127.0.0.1:9/mcp", [["X-Api-Key", `\${secret:NOTES_TOKEN}`]]);
    assert.equal(new URL(page.url()).searchParams.get("done"), "added");
    const text = (await row(page, "headered").textContent()) ?? "";
    assert.match(text, /Headers: X-Api-Key/);
    assert.ok(!(await page.content()).includes("secret:NOTES_TOKEN}"));
    assert.equal(
      await row(page, "headered")
        .getByRole("button", { name: /^Connect/ })
        .count(),
      0,
    );
  });

  test("a secret saved with Allowed hosts is listed with those hosts", async () => {
    await page.goto(`${base}/connections`);
    await page.getByLabel("Secret name").fill("HOSTED_TOKEN");
    await page.getByLabel("Secret value").fill(SECRET_VALUE);
    await page.getByLabel("Allowed hosts").fill("api.example.com, Other.Example.com");
    await page.getByRole("button", { name: "Save secret" }).click();
    await page.waitForURL((url) => url.searchParams.get("done") === "secret_saved");
    assert.match((await row(page, "HOSTED_TOKEN").textContent()) ?? "", /api\.example\.com, other\.example\.com/);
  });

  test("an add the gateway refuses shows why, keeping the name and URL but not the header values", async () => {
    await addServer("borrower", "http://127.0.0.1:9/mcp", [["Authorization", `Bearer \${GITHUB_TOKEN}`]]);
    assert.equal(new URL(page.url()).pathname, "/connections/add");
    assert.match(
      (await page.getByRole("alert").textContent()) ?? "",
      /Could not add borrower: .*gateway.s own environment/,
    );
    assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "borrower");
    assert.equal(await page.getByLabel("Header 1 value").inputValue(), "");
    assert.equal(await row(page, "borrower").count(), 0);
  });

  test("Connect follows the real redirects through the upstream's consent page and back; the server shows Connected", async () => {
    await addServer("notes", upstream.url);
    await row(page, "notes").getByRole("button", { name: "Connect notes" }).click();
    await page.waitForURL((url) => url.host === new URL(upstream.issuer).host);
    await alice.screenshot(page, "connections-upstream-consent");
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((url) => url.pathname === "/connections/callback");
    assert.match(await page.title(), /^Connected notes/);
    await page.goto(`${base}/connections`);
    const text = (await row(page, "notes").textContent()) ?? "";
    assert.match(text, /OAuth sign-in/);
    assert.match(text, /Connected/);
    assert.ok(upstream.events.some((e) => e.type === "token"));
    await alice.screenshot(page, "connections-connected");
  });

  test("scopes an upstream grants are shown as text, never as markup", async () => {
    const scope = "<img/id=scoped/src=x>";
    const hostile = await startOAuthUpstream({
      autoApprove: false,
      scopesSupported: [scope],
      resourceScopes: [scope],
      defaultScopes: [scope],
    });
    try {
      await addServer("hostile", hostile.url);
      await row(page, "hostile").getByRole("button", { name: "Connect hostile" }).click();
      await page.waitForURL((url) => url.host === new URL(hostile.issuer).host);
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL((url) => url.pathname === "/connections/callback");
      await page.goto(`${base}/connections`);
      assert.match((await row(page, "hostile").textContent()) ?? "", /Scopes: <img\/id=scoped\/src=x>/);
      assert.equal(await page.locator("#scoped").count(), 0);
    } finally {
      await hostile.stop();
    }
  });

  test("without JavaScript, Connect stops at a Continue link that leads to the upstream's sign-in", async () => {
    const plain = await launchBrowser({ javaScript: false });
    try {
      const p = await signIn(plain, ALICE_KEY);
      await row(p, "notes").getByRole("button", { name: "Reconnect notes" }).click();
      await p.waitForURL((url) => url.pathname === "/connections/continue");
      await plain.screenshot(p, "connections-continue");
      await p.getByRole("link", { name: "Continue to sign in" }).click();
      await p.waitForURL((url) => url.host === new URL(upstream.issuer).host);
      assert.equal(await p.getByRole("button", { name: "Allow" }).count(), 1);
    } finally {
      await plain.close();
    }
  });

  test("Disconnect forgets the tokens: the upstream saw them revoked and the page offers Connect again", async () => {
    page.once("dialog", (dialog) => dialog.accept());
    await row(page, "notes").getByRole("button", { name: "Disconnect notes" }).click();
    await page.waitForURL((url) => url.searchParams.get("done")?.startsWith("disconnected") === true);
    assert.ok(upstream.revoked.length > 0, "no token was revoked at the upstream");
    assert.equal(await row(page, "notes").getByRole("button", { name: "Connect notes" }).count(), 1);
  });

  test("Remove takes the server off the page", async () => {
    page.once("dialog", (dialog) => dialog.accept());
    await row(page, "headered").getByRole("button", { name: "Remove headered" }).click();
    await page.waitForURL((url) => url.searchParams.get("done") === "removed");
    assert.equal(await row(page, "headered").count(), 0);
  });

  test("another user sees none of alice's servers or secrets", async () => {
    const bobPage = await signIn(bob, BOB_KEY);
    assert.match((await bobPage.locator("#your-servers + p").textContent()) ?? "", /not added any servers/);
    assert.equal(await row(bobPage, "notes").count(), 0);
    assert.equal(await row(bobPage, "NOTES_TOKEN").count(), 0);
  });

  test("a page on another port of the same site cannot add a server, although the browser sends the cookie", async () => {
    await page.goto(`${base}/connections`);
    const csrf = await page.locator('form[action="/connections/add"] input[name="csrf"]').inputValue();
    const attacker: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(
        `<!doctype html><form id="f" method="post" action="${base}/connections/add"><input name="csrf" value="${csrf}"><input name="name" value="planted"><input name="url" value="http://127.0.0.1:9/mcp"></form><script>document.getElementById("f").submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    try {
      const evil = await alice.newPage();
      const refused = evil.waitForResponse((r) => r.url().endsWith("/connections/add"));
      await evil.goto(`http://localhost:${(attacker.address() as AddressInfo).port}/`);
      const response = await refused;
      assert.equal(response.status(), 403);
      assert.match((await response.request().allHeaders()).cookie ?? "", /cg_session=/);
      await page.reload();
      assert.equal(await row(page, "planted").count(), 0);
    } finally {
      attacker.close();
    }
  });
});

describe("the connections page when the operator turns user servers off", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({
      config: { servers: [{ name: "workspace", url: "builtin:workspace" }], user_servers: { enabled: false } },
    });
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("it lists only the gateway's servers and offers no form to add one", async () => {
    const res = await fetch(new URL("/connections", gateway.url));
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /has not enabled servers of your own/);
    assert.match(html, /<th scope="row">workspace<\/th>/);
    assert.doesNotMatch(html, /action="\/connections\/add"/);
  });
});
