/**
 * The pages' layout in a real headless Chromium at a 1280 px window, against the real gateway (workerd) with
 * authentication off (the `npm run dev` default): no page is wider than the window, and short values in table cells
 * (a URL, a module or tool name) stay on one line instead of wrapping every few characters; a long URL still breaks
 * inside its column. /connections names each server's real module (a sanitized name imports as `servers/my_ev`),
 * shows times as the dashboard does, and offers no "Sign out" while authentication is off.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { connect, type Gateway, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));
/** A URL longer than its column can hold: it must break inside the column rather than widen the page. */
const LONG_PATH = `/${"a-rather-long-path-segment/".repeat(8)}mcp`;

let upstream: Upstream;
let gateway: Gateway;
let session: Session;
let browser: TestBrowser;
let base: string;

before(async () => {
  upstream = await startNodeUpstream(CHANGING, []);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "changing", url: upstream.url, description: "A server whose tools change while the gateway runs" },
      ],
    },
    vars: { CONNECTIONS_KEY: randomBytes(32).toString("hex") },
  });
  base = `http://localhost:${gateway.url.port}`;
  session = await connect(gateway.mcpUrl);
  // A sanitized name, a long URL, a secret with a time, and a skill whose Calls column names tools.
  await session.data("add_server", { name: "my.ev", url: upstream.url });
  await session.data("add_server", { name: "far", url: new URL(LONG_PATH, upstream.url).href });
  const put = await fetch(new URL("/secrets/API_TOKEN?hosts=127.0.0.1", gateway.url), {
    method: "PUT",
    body: "x".repeat(24),
  });
  assert.equal(put.status, 200, await put.text());
  await session.data("save_skill", {
    name: "tidy",
    description: "Writes a file and lists the folder it is in",
    code: `import { write_file, list_directory } from "servers/workspace";
export default async function tidy(input: { path: string }) {
  await write_file({ path: input.path, content: "tidy" });
  return await list_directory({ path: "/" });
}`,
  });
  await session.data("run_skill", { name: "tidy", input: { path: "/tidy.txt" } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const res = await page.goto(`${base}${path}`);
  assert.equal(res?.status(), 200, path);
  return page;
}

/** How many lines an element's text takes (its text's line boxes, by their tops). Runs in the page. */
function lineCount(el: unknown): number {
  const range = (globalThis as any).document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].map((r: { top: number }) => Math.round(r.top))).size;
}

/** How many lines the text of the first element matching `selector` takes. */
function lines(page: Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate(lineCount);
}

/** The page is no wider than the window: nothing is cut off or needs a horizontal scroll. */
async function fitsWindow(page: Page, name: string): Promise<void> {
  const width = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
  await browser.screenshot(page, `layout-${name}`);
  assert.ok(width <= 1280, `${name}: the page is ${width} px wide in a 1280 px window`);
}

describe("tables fit the window and keep short values on one line", () => {
  test("/connections: the URL column does not wrap a short URL, and a long one breaks inside its column", async () => {
    const page = await open("/connections");
    await fitsWindow(page, "connections");
    assert.equal(await lines(page, 'tr:has(th:text-is("my.ev")) td code'), 1);
    assert.equal(await lines(page, 'tr:has(th:text-is("changing")) td code'), 1);
    assert.ok((await lines(page, 'tr:has(th:text-is("far")) td code')) > 1, "the long URL breaks");
    await page.close();
  });

  test("/dashboard: the servers table fits, module names are not broken mid-word", async () => {
    const page = await open("/dashboard");
    await fitsWindow(page, "dashboard-servers");
    for (const server of ["workspace", "changing", "my.ev"]) {
      assert.equal(await lines(page, `tr:has(a:text-is("${server}")) th .mono`), 1, server);
    }
    await page.close();
  });

  test("/dashboard/skills: tool names in the Calls column stay on one line", async () => {
    const page = await open("/dashboard/skills");
    await fitsWindow(page, "dashboard-skills");
    const calls = page.locator('tr:has(a:text-is("tidy")) td').first().locator("code");
    assert.deepEqual((await calls.allTextContents()).sort(), ["workspace.list_directory", "workspace.write_file"]);
    for (const i of [0, 1]) {
      assert.equal(await calls.nth(i).evaluate(lineCount), 1, (await calls.nth(i).textContent()) ?? "");
    }
    await page.close();
  });
});

describe("/connections says what is true", () => {
  test("each server's module is the one code imports, times read as on the dashboard, and no Sign out without authentication", async () => {
    const page = await open("/connections");
    const module = async (name: string) =>
      (await page.locator(`tr:has(th:text-is("${name}")) .module`).textContent())?.trim();
    assert.equal(await module("my.ev"), "Code imports it from servers/my_ev");
    assert.equal(await module("workspace"), "Code imports it from servers/workspace");
    const set = page.locator('tr:has(code:text-is("API_TOKEN")) time');
    assert.match((await set.getAttribute("datetime")) ?? "", /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.match((await set.textContent()) ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.doesNotMatch((await page.locator("main").textContent()) ?? "", /\d\dT\d\d:\d\d/);
    assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
    assert.equal(await page.locator("header .who").textContent(), "Authentication is off: this machine acts as local");
    await page.close();
  });
});
