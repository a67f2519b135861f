/**
 * The dashboard (#18) driven in a real headless Chromium against the real gateway (workerd), with real MCP
 * clients of two API-key users producing what it shows: executions from several sessions, approvals, skills, and a
 * real upstream (test/support/changing-upstream.mjs) whose tool changes. Screenshots go to test-results/screenshots.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { connectModern } from "../support/modern-client";
import { until } from "../support/until";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));
const ALICE_KEY = `alice_${randomBytes(24).toString("base64url")}`;
const BOB_KEY = `bob_${randomBytes(24).toString("base64url")}`;

let upstream: Upstream;
let gateway: Gateway;
let alice: Session;
let aliceOther: Session;
let bob: Session;
let browser: TestBrowser;
let bobBrowserOnce: Promise<TestBrowser> | undefined;

/** Bob's own browser, signed in once. */
function bobBrowser(): Promise<TestBrowser> {
  bobBrowserOnce ??= (async () => {
    const b = await launchBrowser();
    await signIn(b, BOB_KEY);
    return b;
  })();
  return bobBrowserOnce;
}

const mcp = (key: string) =>
  connect(gateway.mcpUrl, {}, { requestInit: { headers: { authorization: `Bearer ${key}` } } });

before(async () => {
  upstream = await startNodeUpstream(CHANGING, []);
  gateway = await startGateway({
    config: {
      auth: { mode: "api_keys" },
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "changing", url: upstream.url },
      ],
    },
    vars: { API_KEYS: `alice:${ALICE_KEY},bob:${BOB_KEY}` },
  });
  alice = await mcp(ALICE_KEY);
  aliceOther = await mcp(ALICE_KEY);
  bob = await mcp(BOB_KEY);
  browser = await launchBrowser();
  await signIn(browser, ALICE_KEY);
});
after(async () => {
  await browser?.close();
  await (await bobBrowserOnce)?.close();
  await Promise.all([alice?.close(), aliceOther?.close(), bob?.close()]);
  await gateway?.dispose();
  await upstream?.stop();
});

/** Signs `b` in as the key's user (once per browser: sign-in attempts are rate-limited per address). */
async function signIn(b: TestBrowser, key: string): Promise<void> {
  const page = await b.newPage();
  await page.goto(new URL("/dashboard", gateway.url).href);
  assert.equal(new URL(page.url()).pathname, "/signin");
  await page.getByLabel("Gateway API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/dashboard");
  await page.close();
}

/** A new tab of Alice's signed-in browser, on `path`. */
async function signedIn(path: string, b: TestBrowser = browser): Promise<Page> {
  const page = await b.newPage();
  const res = await page.goto(new URL(path, gateway.url).href);
  assert.equal(res?.status(), 200, `${path}: ${await page.locator("main").textContent()}`);
  return page;
}

/** Every section page of the dashboard. */
const DASHBOARD_PAGES = [
  "/dashboard",
  "/dashboard/tools",
  "/dashboard/executions",
  "/dashboard/approvals",
  "/dashboard/skills",
];

const text = async (page: Page, selector = "main") => (await page.locator(selector).first().textContent()) ?? "";

describe("dashboard: servers and tools", () => {
  test("the servers page lists every server with status, breaker, last refresh and a changed tool", async () => {
    assert.equal(
      (await run(alice, `import { echo } from "servers/changing"; return await echo({ message: "hi" });`)).ok,
      true,
    );
    const res = await fetch(new URL("/control/change", upstream.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "change_echo" }),
    });
    assert.equal(res.status, 200);
    const page = await signedIn("/dashboard");
    await page.getByRole("button", { name: "Refresh all servers" }).click();
    await page.waitForURL((url) => url.search === "?done=refreshed");
    const row = page.getByRole("row", { name: /changing/ });
    assert.match((await row.textContent()) ?? "", /ok/);
    assert.match((await row.textContent()) ?? "", /closed/);
    assert.match((await row.textContent()) ?? "", /echo/);
    assert.match((await row.locator("time").first().getAttribute("datetime")) ?? "", /^\d{4}-\d\d-\d\dT/);
    assert.match((await page.getByRole("row", { name: /workspace/ }).textContent()) ?? "", /in-process/);
    await browser.screenshot(page, "dashboard-servers");
    await page.close();
  });

  test("a user's own server is listed beside the gateway's, and only on that user's dashboard", async () => {
    const added = await alice.data("add_server", { name: "mine", url: upstream.url });
    assert.equal(added.status, "connected", JSON.stringify(added));
    const page = await signedIn("/dashboard");
    const row = page.getByRole("row", { name: /mine/ });
    assert.match((await row.textContent()) ?? "", /yours/);
    assert.match((await row.textContent()) ?? "", /servers\/mine/);
    assert.match((await page.getByRole("row", { name: /workspace/ }).textContent()) ?? "", /gateway/);
    await browser.screenshot(page, "dashboard-servers-own");
    await page.close();
    const bobs = await signedIn("/dashboard", await bobBrowser());
    assert.equal(await bobs.getByRole("row", { name: /mine/ }).count(), 0);
    assert.equal(await bobs.getByRole("row", { name: /workspace/ }).count(), 1);
    await bobs.close();
  });

  test("a server whose tool names are too long to show says on its row how many were left out, why, and which", async () => {
    const long = await startFaulty({ "tool-set": "long-names" });
    try {
      const added = await alice.data("add_server", { name: "longnames", url: long.url });
      assert.equal(added.status, "connected", JSON.stringify(added));
      const page = await signedIn("/dashboard");
      const cell = page
        .getByRole("row", { name: /longnames/ })
        .getByRole("cell")
        .nth(4);
      const shown = (await cell.textContent()) ?? "";
      assert.match(
        shown,
        /^2Left out: 2 tools, names over 256 characters \(MCP asks for 1 to 128\); ask the server's maintainer/,
      );
      assert.deepEqual(await cell.locator("li code").allTextContents(), [
        `long_${"b".repeat(55)}… (257 characters)`,
        `long_${"c".repeat(55)}… (2,005 characters)`,
      ]);
      await browser.screenshot(page, "dashboard-servers-omitted");
      await page.close();
    } finally {
      await alice.call("remove_server", { name: "longnames" });
      await long.stop();
    }
  });

  test("the tool browser ranks tools like search_tools and shows each declaration and an example call", async () => {
    const page = await signedIn("/dashboard/tools");
    await page.getByLabel("Search tools").fill("write a file");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL((url) => url.searchParams.get("q") === "write a file");
    const { tools } = await alice.data("search_tools", { query: "write a file", limit: 3 });
    const headings = await page.locator("article.tool h3 code").allTextContents();
    assert.deepEqual(
      headings.slice(0, 3),
      tools.map((t: any) => `${t.server}.${t.name}`),
    );
    const card = page.locator("article.tool").filter({ hasText: "workspace.write_file" });
    assert.match((await card.locator("pre.code").first().textContent()) ?? "", /export declare function write_file\(/);
    await card.getByText("Example call").click();
    assert.match(
      (await card.locator("pre.code").nth(1).textContent()) ?? "",
      /await write_file\(\{\s+\d+\s+"path": "…"/,
    );
    await browser.screenshot(page, "dashboard-tools");
    await page.close();
  });
});

describe("dashboard: executions", () => {
  test("executions of every session are listed, filtered by status and paged", async () => {
    for (let i = 0; i < 26; i++) {
      const r = await run(i % 2 ? alice : aliceOther, i === 3 ? `throw new Error("boom ${i}")` : `return ${i};`);
      assert.equal(r.execution_id.startsWith("exe_"), true);
    }
    const page = await signedIn("/dashboard/executions");
    assert.equal(await page.locator("tbody tr").count(), 25);
    await page.getByRole("link", { name: "Older →" }).click();
    await page.waitForURL((url) => url.searchParams.has("before"));
    assert.ok((await page.locator("tbody tr").count()) >= 2);
    await page.getByLabel("Status").selectOption("error");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("status") === "error");
    const rows = await page.locator("tbody tr").allTextContents();
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((r) => r.includes("error")));
    assert.ok(rows.some((r) => r.includes("boom 3")));
    await browser.screenshot(page, "dashboard-executions");
    await page.close();
  });

  test("an execution's page shows highlighted code with the error at its line, logs, and a tool-call timeline", async () => {
    const r = await run(
      alice,
      `import { write_file, read_file } from "servers/workspace";
await write_file({ path: "/t.txt", content: "x" });
console.log("wrote it");
await read_file({ path: "/t.txt" });
const missing = await read_file({ path: "/nope.txt" }).catch((e) => String(e));
throw new Error("stop here");`,
    );
    assert.equal(r.ok, false);
    const page = await signedIn(`/dashboard/executions/${r.execution_id}`);
    assert.equal(await page.locator("pre.code .kw", { hasText: "await" }).first().isVisible(), true);
    const errorLine = page.locator("pre.code .error-line");
    assert.match((await errorLine.textContent()) ?? "", /throw new Error\("stop here"\)/);
    assert.match((await errorLine.locator(".ln").textContent()) ?? "", new RegExp(`^${r.error.line}$`));
    assert.match((await page.locator(".line-error").textContent()) ?? "", /stop here/);
    assert.match((await page.locator("pre.logs").textContent()) ?? "", /wrote it/);
    const svg = page.locator(".timeline svg");
    assert.match((await svg.getAttribute("aria-label")) ?? "", /Timeline of 3 tool calls/);
    assert.equal(await svg.locator("g.call rect.bar").count(), 3);
    assert.equal(await svg.locator("g.call.s-error").count(), 1);
    await browser.screenshot(page, "dashboard-execution");
    await page.close();
  });

  test("a running execution is listed from its start and its page updates itself until it ends", async () => {
    const slow = run(
      aliceOther,
      `import { write_file } from "servers/workspace";
await write_file({ path: "/slow.txt", content: "x" });
await new Promise((r) => setTimeout(r, 5000));
return "slow done";`,
    );
    const page = await signedIn("/dashboard/executions?status=running");
    const link = await until("a running execution", async () => {
      await page.reload();
      const a = page.locator("tbody tr a.mono").first();
      return (await a.count()) ? a : undefined;
    });
    await link.click();
    await page.waitForSelector(".badge.st-running");
    await page.waitForSelector(".timeline g.call.s-ok");
    assert.match(await text(page, ".timeline"), /workspace\.write_file/);
    await browser.screenshot(page, "dashboard-running");
    // The progressive script polls /live and reloads the page once the execution has ended.
    await page.waitForSelector(".badge.st-ok", { timeout: 15_000 });
    assert.match(await text(page), /slow done/);
    assert.equal((await slow).result, "slow done");
    await page.close();
  });
});

const DELETE_VICTIM = `import { write_file, delete_file } from "servers/workspace";
await write_file({ path: "/victim-NAME.txt", content: "bye" });
await delete_file({ path: "/victim-NAME.txt" });
return "deleted NAME";`;

describe("dashboard: approvals", () => {
  test("approving on the page re-runs the execution in its session, audited as user (dashboard)", async () => {
    const first = await run(alice, DELETE_VICTIM.replaceAll("NAME", "a"));
    assert.equal(first.status, "approval_required");
    const page = await signedIn("/dashboard/approvals");
    const card = page.locator(`article#${first.approval.handle}`);
    assert.match((await card.locator("pre.json").textContent()) ?? "", /"path": "\/victim-a\.txt"/);
    await browser.screenshot(page, "dashboard-approvals");
    await card.getByRole("button", { name: /^Approve/ }).click();
    await page.waitForURL((url) => url.search === "?done=approved");
    assert.match(await text(page, "[role=status]"), /re-runs in the background/);
    // The agent learns the outcome from the stopped execution's record (it names the re-run once that starts)...
    const stopped = await until("the re-run", async () => {
      const record = await alice.data("get_execution", { id: first.execution_id });
      return record.approval.rerun ? record : undefined;
    });
    assert.deepEqual(
      [stopped.status, stopped.approval.decision, stopped.approval.by],
      ["approved", "approved", "user (dashboard)"],
    );
    const rerunId = stopped.approval.rerun;
    // ...and from approve_call (the handle names the re-run too).
    const again = await alice.call("approve_call", { handle: first.approval.handle });
    assert.match((again.content[0] as any).text, new RegExp(`re-run is execution ${rerunId} `));
    const rerun = await alice.data("get_execution", { id: rerunId });
    assert.equal(rerun.ok, true);
    assert.equal(rerun.result, "deleted a");
    const approved = rerun.tool_calls.find((c: any) => c.tool === "delete_file");
    assert.deepEqual(
      [approved.status, approved.approval.decision, approved.approval.by],
      ["ok", "approved", "user (dashboard)"],
    );
    await page.close();
  });

  test("approving on the page re-runs a 2026-07-28 context's execution in that context, with its state", async () => {
    const modern = await connectModern(gateway.mcpUrl, {}, { authorization: `Bearer ${ALICE_KEY}` });
    try {
      const started = await modern.data("execute_code", {
        code: `import { state } from "gateway"; await state.set("k", "context state"); return "set";`,
        context: "new",
      });
      const first = await modern.data("execute_code", {
        code: `import { state } from "gateway";
import { write_file, delete_file } from "servers/workspace";
await write_file({ path: "/ctx.txt", content: "x" });
await delete_file({ path: "/ctx.txt" });
return await state.get("k");`,
        context: started.context,
      });
      assert.equal(first.status, "approval_required");
      const page = await signedIn("/dashboard/approvals");
      await page
        .locator(`article#${first.approval.handle}`)
        .getByRole("button", { name: /^Approve/ })
        .click();
      await page.waitForURL((url) => url.search === "?done=approved");
      await page.close();
      const rerunId = await until("the re-run", async () => {
        const again = await modern.call("approve_call", { handle: first.approval.handle, context: started.context });
        return /re-run is execution (exe_\w+)/.exec((again.content[0] as any).text)?.[1];
      });
      const rerun = await modern.data("get_execution", { id: rerunId, context: started.context });
      assert.equal(rerun.result, "context state");
    } finally {
      await modern.close();
    }
  });

  test("denying on the page cancels the execution, audited as user (dashboard)", async () => {
    const first = await run(alice, DELETE_VICTIM.replaceAll("NAME", "d"));
    // Its page says it waits, not that it failed; once denied, that it was denied.
    const detail = await signedIn(`/dashboard/executions/${first.execution_id}`);
    assert.match(await text(detail), /workspace\.delete_file waits for your approval\./);
    assert.match(await text(detail), /No result yet: the execution is waiting for approval\./);
    assert.doesNotMatch(await text(detail), /needed approval|the execution failed/);
    const page = await signedIn("/dashboard/approvals");
    await page.locator(`article#${first.approval.handle}`).getByRole("button", { name: /^Deny/ }).click();
    await page.waitForURL((url) => url.search === "?done=denied");
    assert.equal(await page.locator(`article#${first.approval.handle}`).count(), 0);
    // The denial is on the stopped execution's record, not in an entry of its own.
    const { executions } = await alice.data("list_executions", { limit: 5 });
    assert.equal(executions[0].execution_id, first.execution_id);
    const stopped = await alice.data("get_execution", { id: first.execution_id });
    assert.deepEqual(
      [stopped.status, stopped.approval.decision, stopped.approval.by],
      ["denied", "denied", "user (dashboard)"],
    );
    await detail.reload();
    assert.match(await text(detail), /workspace\.delete_file needed approval\. Denied by user \(dashboard\)/);
    assert.match(await text(detail), /No result: the call was denied and the execution cancelled\./);
    await detail.close();
    await page.close();
  });
});

const ECHO_SKILL = (word: string) => `import { echo } from "servers/changing";
export default async function shout(input: { message: string }) {
  return await echo({ prefix: "${word}", message: input.message });
}`;

describe("dashboard: skills", () => {
  test("a skill's page diffs two versions, names the tools it calls, counts runs, rolls back and deletes", async () => {
    await alice.data("save_skill", { name: "shout", description: "Shouts", code: ECHO_SKILL("hey ") });
    await alice.data("save_skill", { name: "shout", description: "Shouts louder", code: ECHO_SKILL("HEY ") });
    assert.equal((await alice.data("run_skill", { name: "shout", input: { message: "you" } })).result, "HEY you");
    const page = await signedIn("/dashboard/skills");
    const row = page.getByRole("row", { name: /shout/ });
    assert.match((await row.textContent()) ?? "", /changing\.echo/);
    assert.match((await row.textContent()) ?? "", /1 run; last ok/);
    await row.getByRole("link", { name: "shout" }).click();
    await page.waitForURL((url) => url.pathname === "/dashboard/skills/shout");
    assert.match((await page.locator("pre.diff .del").textContent()) ?? "", /prefix: "hey "/);
    assert.match((await page.locator("pre.diff .add").textContent()) ?? "", /prefix: "HEY "/);
    await browser.screenshot(page, "dashboard-skill");
    await page.getByRole("button", { name: "Roll back to v1" }).click();
    await page.waitForURL((url) => url.search === "?done=rolledback");
    assert.match((await page.getByRole("row", { name: /v3/ }).textContent()) ?? "", /latest/);
    assert.equal((await alice.data("run_skill", { name: "shout", input: { message: "you" } })).result, "hey you");
    await page.getByLabel(/Delete shout and all its versions/).check();
    await page.getByRole("button", { name: "Delete skill" }).click();
    await page.waitForURL((url) => url.pathname === "/dashboard/skills" && url.search === "?done=deleted");
    assert.equal(await page.getByRole("row", { name: /shout/ }).count(), 0);
    await page.close();
  });

  test("a skill whose tool changed upstream is flagged with the changed tool's name", async () => {
    await alice.data("save_skill", { name: "shout2", description: "Shouts", code: ECHO_SKILL("x ") });
    const res = await fetch(new URL("/control/change", upstream.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "add", name: "extra" }),
    });
    assert.equal(res.status, 200);
    // Only a definition change of a tool the skill calls counts: removing echo makes it missing.
    const removed = await fetch(new URL("/control/change", upstream.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "remove", name: "echo" }),
    });
    assert.equal(removed.status, 200);
    const page = await signedIn("/dashboard");
    await page.getByRole("button", { name: "Refresh all servers" }).click();
    await page.waitForURL((url) => url.search === "?done=refreshed");
    await page.goto(new URL("/dashboard/skills", gateway.url).href);
    const flags = page
      .getByRole("row", { name: /shout2/ })
      .locator("td")
      .nth(1);
    assert.match((await flags.textContent()) ?? "", /missing\s*changing\.echo: changing no longer lists it/);
    await page.close();
  });
});

describe("dashboard: quality", () => {
  test("code, logs and results are escaped and every page sends the strict CSP", async () => {
    const evil = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`;
    const r = await run(alice, `console.log(${JSON.stringify(evil)}); return ${JSON.stringify(evil)}; // ${evil}`);
    assert.equal(r.ok, true);
    const page = await signedIn(`/dashboard/executions/${r.execution_id}`);
    const response = await page.reload();
    assert.match(
      response?.headers()["content-security-policy"] ?? "",
      /default-src 'none'; style-src 'self'; script-src 'self'/,
    );
    assert.equal(await page.locator("main img, main script:not([src='/dashboard/assets/live.js'])").count(), 0);
    assert.notEqual(await page.title(), "pwned");
    assert.match(await text(page, "pre.logs"), /<img src=x onerror=/);
    for (const path of DASHBOARD_PAGES) {
      const res = await page.goto(new URL(path, gateway.url).href);
      assert.equal(res?.status(), 200, path);
      assert.match(res?.headers()["content-security-policy"] ?? "", /frame-ancestors 'none'/, path);
    }
    await page.close();
  });

  test("every control of every page has an accessible name and the keyboard reaches the section links in order", async () => {
    const page = await signedIn("/dashboard");
    for (const path of [...DASHBOARD_PAGES, "/dashboard/skills/shout2"]) {
      await page.goto(new URL(path, gateway.url).href);
      const unnamed = await page.evaluate(() =>
        // Runs in the page (no DOM types in this project's compiler settings).
        [
          ...(globalThis as any).document.querySelectorAll(
            "main input:not([type=hidden]), main select, main button, main a",
          ),
        ]
          .filter((el: any) => {
            const labelled = el.labels?.length || el.getAttribute("aria-label");
            return !labelled && !(el.textContent ?? "").trim();
          })
          .map((el: any) => el.outerHTML as string),
      );
      assert.deepEqual(unnamed, [], path);
    }
    await page.goto(new URL("/dashboard", gateway.url).href);
    const focused: string[] = [];
    for (let i = 0; i < 12 && !focused.includes("Skills"); i++) {
      await page.keyboard.press("Tab");
      focused.push(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent?.trim() ?? ""));
    }
    const sections = focused.filter((t) => ["Servers", "Tools", "Executions", "Approvals", "Skills"].includes(t));
    assert.deepEqual(sections, ["Servers", "Tools", "Executions", "Approvals", "Skills"]);
    assert.equal(focused[0], "Skip to content");
    await page.close();
  });

  test("an approval posted without the page's CSRF token is refused and the call stays pending", async () => {
    const pending = await run(alice, DELETE_VICTIM.replaceAll("NAME", "c"));
    const page = await signedIn("/dashboard/approvals");
    const answer = await page.evaluate(async (handle) => {
      const res = await fetch(`/dashboard/approvals/${handle}/approve`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "csrf=forged",
      });
      return res.status;
    }, pending.approval.handle);
    assert.equal(answer, 403);
    await page.reload();
    assert.equal(await page.locator(`article#${pending.approval.handle}`).count(), 1);
    await page.close();
  });

  test("another user sees none of the first user's executions, approvals or skills and cannot answer her approvals", async () => {
    const pending = await run(alice, DELETE_VICTIM.replaceAll("NAME", "b"));
    assert.equal((await run(bob, "return 'bob was here';")).ok, true);
    const page = await signedIn("/dashboard/executions", await bobBrowser());
    const rows = await page.locator("tbody tr").allTextContents();
    assert.equal(rows.length, 1);
    assert.match(rows[0]!, /bob was here/);
    const detail = await page.goto(new URL(`/dashboard/executions/${pending.execution_id}`, gateway.url).href);
    assert.equal(detail?.status(), 404);
    await page.goto(new URL("/dashboard/approvals", gateway.url).href);
    assert.match(await text(page), /Nothing waits for your approval/);
    await page.goto(new URL("/dashboard/skills", gateway.url).href);
    assert.doesNotMatch(await text(page), /shout2/);
    // Bob's own page, posting Alice's handle with Bob's valid CSRF token: the handle is not his.
    const csrf = await page.locator("input[name=csrf]").first().getAttribute("value");
    const answer = await page.evaluate(
      async ({ handle, csrf }) => {
        const res = await fetch(`/dashboard/approvals/${handle}/approve`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ csrf: csrf ?? "" }).toString(),
        });
        return { status: res.status, body: await res.text() };
      },
      { handle: pending.approval.handle, csrf },
    );
    assert.equal(answer.status, 409);
    assert.match(answer.body, /unknown approval handle/);
    const still = (await alice.data("list_executions", { limit: 50 })).executions;
    assert.ok(still.some((e: any) => e.status === "approval_required" && e.execution_id === pending.execution_id));
    await page.close();
  });
});
