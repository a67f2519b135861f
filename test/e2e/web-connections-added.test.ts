/**
 * What /connections shows for a server just added, in a real headless Chromium against the real gateway (workerd):
 * the gateway checks the server when it is added, so one that asks for an OAuth sign-in (the real OAuth-protected
 * upstream of test/support/oauth-upstream.mjs) shows that it needs one, and one it cannot reach shows why; neither
 * shows "Connected" before it is. The browser reaches the gateway as `localhost` and the upstreams as `127.0.0.1`,
 * so the authorization server's redirect back is cross-site, as for a deployed gateway.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { addServerOnPage, serverRow, serverStatus, signInPage } from "../support/connections-page";
import { connect, type Gateway, type Session, startGateway } from "../support/gateway";
import { type OAuthUpstream, startOAuthUpstream } from "../support/oauth-upstream.mjs";
import { freePort, startNodeUpstream, type Upstream } from "../support/upstreams";

const ALICE_KEY = `alice_${randomBytes(24).toString("base64url")}`;
const PLAIN_UPSTREAM = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));

describe("a server added on the connections page", () => {
  let gateway: Gateway;
  let oauth: OAuthUpstream;
  let plain: Upstream;
  let browser: TestBrowser;
  let page: Page;
  let session: Session;
  /** The gateway as the browser reaches it: `localhost`, another site than the upstreams' 127.0.0.1. */
  let base: string;

  before(async () => {
    [oauth, plain] = await Promise.all([
      startOAuthUpstream({ autoApprove: false }),
      startNodeUpstream(PLAIN_UPSTREAM, []),
    ]);
    gateway = await startGateway({
      config: { auth: { mode: "api_keys" }, network: { allow_loopback: true } },
      vars: { API_KEYS: `alice:${ALICE_KEY}`, CONNECTIONS_KEY: randomBytes(32).toString("hex") },
    });
    base = `http://localhost:${gateway.url.port}`;
    browser = await launchBrowser();
    page = await signInPage(browser, base, ALICE_KEY);
    session = await connect(gateway.mcpUrl, {}, { requestInit: { headers: { Authorization: `Bearer ${ALICE_KEY}` } } });
  });
  after(async () => {
    await session?.close();
    await browser?.close();
    await gateway?.dispose();
    await Promise.all([oauth?.stop(), plain?.stop()]);
  });

  test("an OAuth server shows Sign-in needed, not Connected; Connect signs in through the upstream and it shows Connected", async () => {
    await addServerOnPage(page, base, "notes", oauth.url);
    assert.equal(new URL(page.url()).searchParams.get("done"), "added_sign_in");
    const added = await serverStatus(page, "notes");
    assert.deepEqual(added, { signIn: "OAuth sign-in", status: "Sign-in needed", hints: [] });
    await browser.screenshot(page, "connections-added-sign-in-needed");
    assert.equal(oauth.events.filter((e) => e.type === "token").length, 0, "nothing was signed in yet");

    await serverRow(page, "notes").getByRole("button", { name: "Connect notes" }).click();
    await page.waitForURL((url) => url.host === new URL(oauth.issuer).host);
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((url) => url.pathname === "/connections/callback");
    assert.match(await page.title(), /^Connected notes/);
    await page.goto(`${base}/connections`);
    const connected = await serverStatus(page, "notes");
    assert.equal(connected.signIn, "OAuth sign-in");
    assert.equal(connected.status, "Connected");
    assert.equal(await serverRow(page, "notes").getByRole("button", { name: "Disconnect notes" }).count(), 1);
    assert.ok(oauth.events.some((e) => e.type === "token"));
  });

  test("a server that answers a bare 401 and publishes its metadata at the well-known URL shows Sign-in needed", async () => {
    // MCP lets a server point to its authorization server there instead of in a WWW-Authenticate challenge.
    const bare = await startOAuthUpstream({ autoApprove: true, bareChallenge: true });
    try {
      await addServerOnPage(page, base, "bare", bare.url);
      assert.equal(new URL(page.url()).searchParams.get("done"), "added_sign_in");
      assert.deepEqual(await serverStatus(page, "bare"), {
        signIn: "OAuth sign-in",
        status: "Sign-in needed",
        hints: [],
      });
      await serverRow(page, "bare").getByRole("button", { name: "Connect bare" }).click();
      await page.waitForURL((url) => url.pathname === "/connections/callback");
      assert.match(await page.title(), /^Connected bare/);
    } finally {
      await session.data("remove_server", { name: "bare" });
      await bare.stop();
    }
  });

  test("a server that needs no sign-in shows None and Connected, with no Connect", async () => {
    await addServerOnPage(page, base, "plain", plain.url);
    assert.equal(new URL(page.url()).searchParams.get("done"), "added");
    assert.deepEqual(await serverStatus(page, "plain"), { signIn: "None", status: "Connected", hints: [] });
    assert.equal(
      await serverRow(page, "plain")
        .getByRole("button", { name: /^(Re)?[Cc]onnect/ })
        .count(),
      0,
    );
  });

  test("Connect posted for a server that needs no sign-in (a page from before) says so in one line", async () => {
    await page.goto(`${base}/connections`);
    // The form an older page showed: the row's own form (CSRF token and name), posted to /connections/connect.
    await serverRow(page, "plain")
      .locator('form[action="/connections/remove"]')
      .evaluate((form: any) => {
        form.removeAttribute("data-confirm");
        form.action = "/connections/connect";
        form.submit();
      });
    await page.waitForLoadState();
    const error = ((await page.getByRole("alert").textContent()) ?? "").trim();
    assert.equal(error, "Could not connect plain: it needs no sign-in: the gateway reaches it without credentials.");
    assert.deepEqual(await serverStatus(page, "plain"), { signIn: "None", status: "Connected", hints: [] });
  });

  test("a server the gateway cannot reach shows Error with why, never Connected", async () => {
    const port = await freePort();
    await addServerOnPage(page, base, "gone", `http://127.0.0.1:${port}/mcp`);
    assert.equal(new URL(page.url()).searchParams.get("done"), "added_failed");
    const { signIn, status, hints } = await serverStatus(page, "gone");
    assert.equal(signIn, "None");
    assert.equal(status, "Error");
    assert.match(hints.join(" "), /^could not reach it: /);
    assert.equal(await serverRow(page, "gone").getByRole("button", { name: "Check again gone" }).count(), 1);
    assert.equal(
      await serverRow(page, "gone")
        .getByRole("button", { name: /^(Re)?[Cc]onnect/ })
        .count(),
      0,
    );
    await browser.screenshot(page, "connections-added-unreachable");
  });

  test("Check again finds a server that came up since, and it shows Connected", async () => {
    const port = await freePort();
    await addServerOnPage(page, base, "later", `http://127.0.0.1:${port}/mcp`);
    assert.equal((await serverStatus(page, "later")).status, "Error");
    const up = await startNodeUpstream(PLAIN_UPSTREAM, [], "/mcp", port);
    try {
      await serverRow(page, "later").getByRole("button", { name: "Check again later" }).click();
      await page.waitForURL((url) => url.searchParams.get("done") === "checked");
      assert.deepEqual(await serverStatus(page, "later"), { signIn: "None", status: "Connected", hints: [] });
      assert.equal(
        await serverRow(page, "later")
          .getByRole("button", { name: /^Check again/ })
          .count(),
        0,
      );
    } finally {
      await up.stop();
    }
  });

  test("a server down when added no longer shows Error once it came up and a session listed it", async () => {
    const port = await freePort();
    await addServerOnPage(page, base, "revived", `http://127.0.0.1:${port}/mcp`);
    assert.equal((await serverStatus(page, "revived")).status, "Error");
    const up = await startNodeUpstream(PLAIN_UPSTREAM, [], "/mcp", port);
    try {
      // The session lists it on its own (no Check again, no Connect): that it answers reaches the page too.
      const { servers } = await session.data("list_servers", {});
      const revived = servers.find((s: { name: string }) => s.name === "revived");
      assert.equal(revived?.status, "ok", JSON.stringify(revived));
      await page.goto(`${base}/connections`);
      assert.deepEqual(await serverStatus(page, "revived"), { signIn: "None", status: "Connected", hints: [] });
    } finally {
      await up.stop();
    }
  });

  test("a server that never answers is checked within a time limit and shows Error, not Connected", async () => {
    const hanging: ServerResponse[] = [];
    const silent: Server = createServer((_req, res) => void hanging.push(res));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      await addServerOnPage(page, base, "silent", `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp`);
      assert.ok(Date.now() - started < 20_000, `the add answered after ${Date.now() - started} ms`);
      const { status, hints } = await serverStatus(page, "silent");
      assert.equal(status, "Error");
      assert.deepEqual(hints, ["it did not answer within 10 s"]);
    } finally {
      for (const res of hanging) res.destroy();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("a server add_server cannot reach shows Error with the listing's reason on the page too", async () => {
    const port = await freePort();
    const added = await session.data("add_server", { name: "away", url: `http://127.0.0.1:${port}/mcp` });
    assert.equal(added.status, "error", JSON.stringify(added));
    await page.goto(`${base}/connections`);
    const { status, hints } = await serverStatus(page, "away");
    assert.equal(status, "Error");
    assert.match(
      hints.join(" "),
      new RegExp(
        `could not connect to upstream away at 127\\.0\\.0\\.1:${port} \\(connection refused or closed\\); is the server running\\?`,
      ),
    );
  });

  test("a server add_server could not reach no longer shows Error once the session that added it lists it", async () => {
    const port = await freePort();
    const added = await session.data("add_server", { name: "back", url: `http://127.0.0.1:${port}/mcp` });
    assert.equal(added.status, "error", JSON.stringify(added));
    const up = await startNodeUpstream(PLAIN_UPSTREAM, [], "/mcp", port);
    try {
      // This session recorded the failure after it last read the user's servers: it learns of it all the same.
      const { servers } = await session.data("list_servers", { refresh: true });
      assert.equal(servers.find((s: { name: string }) => s.name === "back")?.status, "ok");
      await page.goto(`${base}/connections`);
      assert.deepEqual(await serverStatus(page, "back"), { signIn: "None", status: "Connected", hints: [] });
    } finally {
      await up.stop();
    }
  });

  test("an OAuth server whose sign-in add_server cannot start shows Error with why on the page, and Connect", async () => {
    const refused = await startOAuthUpstream({ authorizationServers: ["http://10.1.2.3/"] });
    try {
      const added = await session.data("add_server", { name: "private_as", url: refused.url });
      assert.match(JSON.stringify(added), /refused to connect to http:\/\/10\.1\.2\.3/);
      await page.goto(`${base}/connections`);
      const { signIn, status, hints } = await serverStatus(page, "private_as");
      assert.equal(signIn, "OAuth sign-in");
      assert.equal(status, "Error");
      assert.match(hints.join(" "), /^it asks for an OAuth sign-in, which could not start: .*10\.1\.2\.3/);
      // Connect, not Reconnect: it never connected.
      const connect = serverRow(page, "private_as").getByRole("button", { name: "Connect private_as", exact: true });
      assert.equal(await connect.count(), 1);
    } finally {
      await refused.stop();
    }
  });
});
