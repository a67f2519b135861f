/**
 * The dashboard's Approvals page, in a real headless Chromium, for a call waiting for a sign-in to the user's OAuth
 * server (the real OAuth-protected test upstream, test/support/oauth-upstream.mjs): the link it offers is one that
 * opens a sign-in now. The link the execution gave dies with its server (removing a server drops its sign-ins), so
 * after the server is removed the page says so, and after it is added again the page offers the new server's
 * pending sign-in, which signs in; Resume then re-runs the code.
 *
 * A step-up (403 insufficient_scope) whose link died the same way gets a new sign-in for the same scope: on the
 * page, a button starts (or reuses) it and the browser goes on to it; approve_call answers with its link. With the
 * server signed in again that is a step-up; with nothing granted yet, a plain sign-in that also asks for the scope.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { authOf } from "../support/oauth-servers";
import { type OAuthUpstream, startOAuthUpstream } from "../support/oauth-upstream.mjs";
import { until } from "../support/until";
import { signIn, TEST_CONNECTIONS_KEY } from "../support/upstream-sign-in";

let upstream: OAuthUpstream;
let gateway: Gateway;
let session: Session;
let browser: TestBrowser;

before(async () => {
  upstream = await startOAuthUpstream({ autoApprove: true });
  gateway = await startGateway({
    config: { network: { allow_loopback: true } },
    vars: { CONNECTIONS_KEY: TEST_CONNECTIONS_KEY },
  });
  session = await connect(gateway.mcpUrl);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

test("a waiting sign-in's link on the Approvals page opens a sign-in after its server was removed and added again", async () => {
  const added = await session.data("add_server", { name: "relinked", url: upstream.url });
  assert.equal(added.status, "authorization_required", JSON.stringify(added));
  assert.equal((await signIn(added.authorization_url)).status, 200);
  await authOf(session, "relinked", (a) => a?.status === "connected");
  // The upstream forgets the token and refuses to renew it: the next call stops for a new sign-in.
  upstream.provider.accessTokens.clear();
  upstream.set({ failRefresh: true });
  const stopped = await run(session, 'import { whoami } from "servers/relinked";\nreturn await whoami({});');
  assert.equal(stopped.status, "authorization_required", JSON.stringify(stopped).slice(0, 1500));
  const { handle, authorization_url: first } = stopped.authorization;
  upstream.set({ failRefresh: false });

  const page = await browser.newPage();
  const card = page.locator(`article#${handle}`);
  const signInLinks = card.locator('a[href*="/connections/authorize"]');
  await page.goto(new URL("/dashboard/approvals", gateway.url).href);
  assert.equal(await signInLinks.getAttribute("href"), first, "while the server is there, its own link");

  await session.call("remove_server", { name: "relinked" });
  await page.reload();
  assert.equal(await signInLinks.count(), 0, "no link to a sign-in that no longer exists");
  assert.match(
    (await card.textContent()) ?? "",
    /You removed relinked after this call stopped\. Add it again on Connections and sign in, then Resume; or Deny the call\./,
  );

  const again = await session.data("add_server", { name: "relinked", url: upstream.url });
  assert.equal(again.status, "authorization_required", JSON.stringify(again));
  assert.notEqual(again.authorization_url, first);
  await page.reload();
  const offered = await signInLinks.getAttribute("href");
  assert.equal(offered, again.authorization_url, "the re-added server's pending sign-in, not the dead link");
  await browser.screenshot(page, "approvals-sign-in-relinked");
  // The browser follows it: the gateway, the authorization server (it approves at once), the gateway's callback.
  await signInLinks.click();
  await page.waitForURL((url) => url.pathname === "/connections/callback");
  assert.match(await page.title(), /Connected relinked/);

  await page.goto(new URL("/dashboard/approvals", gateway.url).href);
  assert.match((await card.textContent()) ?? "", /You have signed in to relinked since this call stopped\./);
  await card.getByRole("button", { name: /^Resume/ }).click();
  await page.waitForURL((url) => url.search === "?done=approved");
  const rerunId = await until("the re-run", async () => {
    const record = await session.data("get_execution", { id: stopped.execution_id });
    return record.authorization?.rerun as string | undefined;
  });
  const rerun = await until("the re-run's end", async () => {
    const record = await session.data("get_execution", { id: rerunId });
    return record.status === "running" ? undefined : record;
  });
  assert.equal(rerun.ok, true, JSON.stringify(rerun).slice(0, 1500));
  assert.match(JSON.stringify(rerun.result), /alice/);
  await page.close();
});

/** Adds `upstream` as `name`, signs in, and stops an execution at `admin_report` waiting for a step-up to admin. */
async function steppedUp(name: string): Promise<{ handle: string; link: string; executionId: string }> {
  const added = await session.data("add_server", { name, url: upstream.url });
  assert.equal((await signIn(added.authorization_url)).status, 200);
  await authOf(session, name, (a) => a?.status === "connected");
  const stopped = await run(session, `import { admin_report } from "servers/${name}";\nreturn await admin_report({});`);
  assert.equal(stopped.status, "authorization_required", JSON.stringify(stopped).slice(0, 1500));
  assert.equal(stopped.authorization.scope, "admin");
  const { handle, authorization_url: link } = stopped.authorization;
  return { handle, link, executionId: stopped.execution_id };
}

/** The scopes of the upstream's last authorization request, sorted. */
const lastAsked = () => [...(upstream.events.filter((e) => e.type === "authorize").at(-1)?.scopes ?? [])].sort();

test("a step-up whose link died with its server gets a new step-up for the same scope from the Approvals page's button", async () => {
  const { handle, executionId } = await steppedUp("restepped");
  // Removed and added again (its flows, the step-up's too, are gone), then signed in again for the base scope.
  await session.call("remove_server", { name: "restepped" });
  const again = await session.data("add_server", { name: "restepped", url: upstream.url });
  assert.equal((await signIn(again.authorization_url)).status, 200);
  await authOf(session, "restepped", (a) => a?.status === "connected" && a.scopes?.length === 1);

  const page = await browser.newPage();
  const card = page.locator(`article#${handle}`);
  await page.goto(new URL("/dashboard/approvals", gateway.url).href);
  assert.equal(await card.locator('a[href*="/connections/authorize"]').count(), 0, "not the dead link");
  assert.match(
    (await card.textContent()) ?? "",
    /The link it gave no longer opens a sign-in: start a new one, sign in, then Resume\./,
  );
  await browser.screenshot(page, "approvals-step-up-link-gone");
  await card.getByRole("button", { name: "Start a new sign-in to restepped" }).click();
  await page.waitForURL((url) => url.search === "?done=renewed");
  const renewed = card.locator('a[href*="/connections/authorize"]');
  const { step_up: stepUp } = await authOf(session, "restepped", (a) => a?.step_up?.length === 1);
  assert.equal(await renewed.getAttribute("href"), stepUp?.[0]?.authorization_url, "the step-up it started");
  assert.deepEqual(stepUp[0].tools, ["admin_report"]);
  await renewed.click();
  await page.waitForURL((url) => url.pathname === "/connections/callback");
  assert.match(await page.title(), /Connected restepped/);
  assert.deepEqual(lastAsked(), ["admin", "mcp"], "a step-up for the same scope, with the granted one");

  await page.goto(new URL("/dashboard/approvals", gateway.url).href);
  assert.match((await card.textContent()) ?? "", /You have signed in to restepped since this call stopped\./);
  const resumed = (await session.call("approve_call", { handle })).structuredContent as any;
  assert.equal(resumed.ok, true, JSON.stringify(resumed).slice(0, 1500));
  assert.deepEqual([...resumed.result.scopes].sort(), ["admin", "mcp"]);
  assert.notEqual(resumed.execution_id, executionId);
  await page.close();
});

test("approve_call on a step-up whose server was added again and not signed in yet answers a sign-in that also asks for the scope", async () => {
  const { handle, link } = await steppedUp("reasked");
  await session.call("remove_server", { name: "reasked" });
  const again = await session.data("add_server", { name: "reasked", url: upstream.url });
  assert.equal(again.status, "authorization_required", JSON.stringify(again));
  const early = (await session.call("approve_call", { handle })).structuredContent as any;
  assert.equal(early.status, "authorization_required", JSON.stringify(early));
  assert.equal(early.authorization.scope, "admin");
  const renewed = early.authorization.authorization_url;
  assert.ok(renewed && renewed !== link && renewed !== again.authorization_url, JSON.stringify(early.authorization));
  const repeated = (await session.call("approve_call", { handle })).structuredContent as any;
  assert.equal(repeated.authorization.authorization_url, renewed, "the pending one, not another");
  const steps = await signIn(renewed);
  assert.equal(steps.status, 200, steps.page);
  assert.deepEqual(lastAsked(), ["admin", "mcp"]);
  const resumed = (await session.call("approve_call", { handle })).structuredContent as any;
  assert.equal(resumed.ok, true, JSON.stringify(resumed).slice(0, 1500));
  assert.deepEqual([...resumed.result.scopes].sort(), ["admin", "mcp"]);
});
