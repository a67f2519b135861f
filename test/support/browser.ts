/**
 * A real headless Chromium for page tests: Debian's package at /usr/bin/chromium (`.ci/run` installs it when
 * missing), driven by playwright-core. Each launch gets a fresh profile in a temporary folder, so no cookie or
 * cache carries over between tests that launch their own. Screenshots go to test-results/screenshots/ (gitignored)
 * for review.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOT_DIR = resolve("test-results/screenshots");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab. */
  newPage(): Promise<Page>;
  /** Saves a full-page screenshot as test-results/screenshots/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile; fails with what to install when Chromium is missing. */
export async function launchBrowser(options: { javaScript?: boolean } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the page tests drive a real browser. Install it with ` +
        "`sudo apt-get install -y chromium` (Debian/Ubuntu; .ci/run does this in CI), or set CHROMIUM_PATH.",
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "cg-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 800 },
    javaScriptEnabled: options.javaScript ?? true,
  });
  return {
    context,
    newPage: () => context.newPage(),
    async screenshot(page, name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9_-]+/g, "-")}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
