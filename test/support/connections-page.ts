/**
 * Driving the gateway's /connections page in a real browser (test/support/browser.ts): signing in with an API key,
 * finding a server's row and adding a server through the page's form, as a person does.
 */
import type { Page } from "playwright-core";
import type { TestBrowser } from "./browser";

/** Opens /connections at `base` in a new tab of `browser` and signs in there with `key`. */
export async function signInPage(browser: TestBrowser, base: string, key: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/connections`);
  await page.getByLabel("Gateway API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/connections");
  return page;
}

/** The table row whose header cell is exactly `name`. */
export function serverRow(page: Page, name: string) {
  return page.locator("tr", { has: page.locator("th", { hasText: new RegExp(`^${name}$`) }) });
}

/** A user server's row as text: its Sign-in cell, its status label and the hints under it (why, scopes, expiry). */
export async function serverStatus(
  page: Page,
  name: string,
): Promise<{ signIn: string; status: string; hints: string[] }> {
  const row = serverRow(page, name);
  return {
    signIn: ((await row.locator("td").nth(1).textContent()) ?? "").trim(),
    status: ((await row.locator(".status").textContent()) ?? "").trim(),
    hints: (await row.locator("td .hint").allTextContents()).map((t) => t.trim()),
  };
}

/** Fills the add-server form (with header rows, if any) and submits it. */
export async function addServerOnPage(
  page: Page,
  base: string,
  name: string,
  url: string,
  headers: Array<[string, string]> = [],
): Promise<void> {
  await page.goto(`${base}/connections`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("URL", { exact: true }).fill(url);
  for (const [i, [header, value]] of headers.entries()) {
    await page.getByLabel(`Header ${i + 1} name`).fill(header);
    await page.getByLabel(`Header ${i + 1} value`).fill(value);
  }
  await page.getByRole("button", { name: "Add server" }).click();
  await page.waitForLoadState();
}
