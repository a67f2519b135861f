/**
 * Every command the README shows is run here as written (a `--port` or URL swapped for a free one, flags appended
 * where a command would reach Cloudflare), run by another test, or listed with the reason it cannot run in CI.
 * A command added to the README fails the first test until it is handled here.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { LOCAL_TRACES_VARIABLE } from "../../scripts/local-traces.mjs";
import { freePort } from "../support/upstreams";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** Shell commands in the README: lines of sh/bash code blocks, and inline code that starts with a command name. */
function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  let fence: string | undefined;
  const prose: string[] = [];
  for (const line of markdown.split("\n")) {
    const marker = /^\s*```(\w*)/.exec(line);
    if (marker) {
      fence = fence === undefined ? marker[1]! : undefined;
      continue;
    }
    if (fence === undefined) prose.push(line);
    else if (["sh", "bash", "shell"].includes(fence)) {
      const command = line.replace(/\s+#.*$/, "").trim();
      if (command && !command.startsWith("#")) commands.push(command);
    }
  }
  for (const [, code] of prose.join("\n").matchAll(/`([^`\n]+)`/g)) {
    if (/^(?:npm|npx|node|curl|claude|wrangler|git|openssl)\s/.test(code!)) commands.push(code!);
  }
  return [...new Set(commands)];
}

/** The README's two notebook cells through the Inspector CLI (2026-07-28, so both reach the default context). */
const NOTEBOOK_CELLS = ["code=const xs = [1, 2, 3]", "code=xs.length"].map(
  (arg) =>
    `npx @modelcontextprotocol/inspector --cli http://127.0.0.1:8787/mcp --transport http --protocol-era modern --method tools/call --tool-name execute_code --tool-arg '${arg}'`,
);

const CLOUDFLARE = "needs a Cloudflare account (this repository's CI has none)";
const DEPLOYED = "needs a deployed Worker (Cloudflare account)";
const CI_RUNS = "run by .ci/run itself (static checks and benchmark are separate CI steps)";

/** Commands run by this file, by another test, or not run, with why. */
const HANDLED = new Map<string, string>([
  ["npm install && npm run dev", "run: test/e2e/clean-clone.test.ts, in a fresh clone"],
  ["npm install && npm test", "not run: it is this test suite"],
  ["npm install", "run: test/e2e/clean-clone.test.ts, in a fresh clone"],
  ["npm run dev", "run: test/e2e/clean-clone.test.ts, in a fresh clone (and here with --port)"],
  ["npm install --loglevel=warn", "run: test/e2e/clean-clone.test.ts, in a fresh clone"],
  ["wrangler dev", "not a command to run: it names what npm run dev runs (run here)"],
  ["npm run dev -- --port 9000", "run: here, on a free port"],
  [
    "npm run dev -- --ip 0.0.0.0",
    "run: here; with authentication off (the default configuration) it refuses to start, so it never listens beyond 127.0.0.1",
  ],
  ["npx @modelcontextprotocol/inspector", "not run: it opens the Inspector's browser UI; its --cli form is run here"],
  [
    "npx @modelcontextprotocol/inspector --cli http://127.0.0.1:8787/mcp --transport http --method tools/list",
    "run: here, against the dev server",
  ],
  [
    "claude mcp add --transport http codemode http://127.0.0.1:8787/mcp",
    "not run: needs Claude Code, which is not an npm dependency",
  ],
  ["npx mcp-remote http://127.0.0.1:8787/mcp", "run: here, against the dev server"],
  [NOTEBOOK_CELLS[0]!, "run: here, against the dev server, then the next cell"],
  [NOTEBOOK_CELLS[1]!, "run: here, against the dev server, after the cell before"],
  ["npm run typecheck", CI_RUNS],
  [
    "npm run eval:search -- --catalog <catalog.json> --queries <queries.jsonl>",
    "not run: needs a benchmark catalog and queries (placeholders; the benchmark data is not in the repository)",
  ],
  ["wrangler secret put GITHUB_TOKEN", CLOUDFLARE],
  ["npx wrangler login", CLOUDFLARE],
  ["npx wrangler secret put GITHUB_TOKEN", CLOUDFLARE],
  ["node scripts/api-key.mjs alice", "run: here"],
  ["npx wrangler secret put API_KEYS", CLOUDFLARE],
  ["openssl rand -hex 32 | npx wrangler secret put CONNECTIONS_KEY", CLOUDFLARE],
  ["openssl rand -base64 48 | npx wrangler secret put REQUEST_STATE_KEY", CLOUDFLARE],
  [
    'claude mcp add --transport http codemode https://<your-worker>/mcp --header "Authorization: Bearer <key>"',
    `not run: needs Claude Code and ${DEPLOYED}`,
  ],
  ["npx wrangler kv namespace create OAUTH_KV", CLOUDFLARE],
  ["npm run deploy", "run: here, with --dry-run appended (a real deploy needs a Cloudflare account)"],
  ["curl https://<your-worker>/health", `not run: ${DEPLOYED}`],
  ["curl -i -X POST https://<your-worker>/mcp", `not run: ${DEPLOYED}`],
  ["npm run check", "not run: format check, lint and typecheck are .ci/run steps, and the tests are this suite"],
  ["npm run format", "not run: it rewrites files; .ci/run checks formatting with npm run format:check"],
  ["npm run test:unit", "not run: the unit tests are part of this suite"],
  ["npm test", "run: this suite; its failure report and retry are tested in test/e2e/run-tests.test.ts"],
  ["npm run bench", "not run: it measures for minutes on an idle machine; its small form is a .ci/run step"],
  ["npm run bench:quick", CI_RUNS],
  ["npm run conformance:auth", CI_RUNS],
  [
    "node test/support/oauth-upstream.mjs --port 9300",
    "run: test/e2e/oauth-upstream.test.ts (its command-line test, on a free port)",
  ],
  ["npm run bench -- --only=typecheck", "not run: a benchmark scenario; it measures for minutes on an idle machine"],
  [
    "npm run bench -- --only=vs_cloudflare_codemode",
    "not run: a benchmark scenario; it measures for a minute on an idle machine (bench:quick runs it small in CI)",
  ],
  [
    "npm run bench:first-run",
    "not run: a benchmark of 100 programs under several policies (minutes); the check it measures is tested in test/e2e/typecheck.test.ts",
  ],
  [
    "npm run bench:first-run -- --only=codemode",
    "not run: the first-run benchmark's @cloudflare/codemode baseline alone (minutes)",
  ],
  [
    "wrangler deploy --dry-run --outdir",
    "not run as written (it names the measurement); the deploy dry run is run here as npm run deploy with --dry-run",
  ],
]);

test("every command in the README is run by a test or listed with the reason it is not", () => {
  const commands = readmeCommands(README);
  const unhandled = commands.filter((c) => !HANDLED.has(c));
  assert.deepEqual(unhandled, [], "README commands that no test runs: add them to HANDLED in this file");
  const stale = [...HANDLED.keys()].filter((c) => !commands.includes(c));
  assert.deepEqual(stale, [], "HANDLED lists commands the README no longer shows: remove them");
});

/** Runs a README command through the shell from the repository root. */
function shell(
  command: string,
  options: { stdin?: boolean; env?: Record<string, string>; unset?: string[] } = {},
): ChildProcess {
  const env = { ...process.env, ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  // Its own process group, so the command and everything it started stop together, by pid.
  return spawn("sh", ["-c", command], {
    cwd: ROOT,
    detached: true,
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    env,
  });
}

/** Files under `dir` (recursively) changed at or after `since` (ms); none when `dir` does not exist. */
function changedSince(dir: string, since: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return names.filter((name) => {
    const stat = statSync(join(dir, name), { throwIfNoEntry: false });
    return stat?.isFile() && stat.mtimeMs >= since;
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      resolve();
    }
  });
}

function output(child: ChildProcess): { text: () => string } {
  let text = "";
  child.stdout?.on("data", (d) => {
    text += d;
  });
  child.stderr?.on("data", (d) => {
    text += d;
  });
  return { text: () => text };
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`command did not finish within ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("npm run dev -- --port <free port>", () => {
  let dev: ChildProcess;
  let devOutput: { text: () => string };
  let origin: string;
  let startedAt: number;

  before(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    startedAt = Date.now();
    // As a user's shell has it: the test runner turns wrangler's traces off for the gateways it starts itself.
    dev = shell(`npm run dev -- --port ${port}`, { unset: [LOCAL_TRACES_VARIABLE] });
    devOutput = output(dev);
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (dev.exitCode !== null) assert.fail(`npm run dev exited with ${dev.exitCode}:\n${devOutput.text()}`);
      if (Date.now() > deadline) assert.fail(`npm run dev did not answer /health within 90 s:\n${devOutput.text()}`);
      try {
        if ((await fetch(`${origin}/health`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  after(async () => {
    if (dev) await stop(dev);
  });

  test("the dev server answers /health on the port given", async () => {
    const res = await fetch(`${origin}/health`);
    assert.deepEqual(await res.json(), { ok: true, version: "0.1.0", servers: ["workspace"] });
  });

  test("a browser opening the dev server's address lands on the dashboard, which links to the connections page", async () => {
    const root = await fetch(`${origin}/`, { redirect: "manual" });
    assert.equal(root.status, 302);
    assert.equal(new URL(root.headers.get("location") ?? "", origin).pathname, "/dashboard");
    const page = await fetch(`${origin}/dashboard`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /href="\/connections"/);
    const missing = (await (await fetch(`${origin}/nothing-here`)).json()) as { endpoints: string[] };
    assert.ok(missing.endpoints.includes("/dashboard") && missing.endpoints.includes("/connections"));
  });

  test("the dev server starts without warnings", () => {
    assert.doesNotMatch(devOutput.text(), /WARNING|wrangler\.jsonc/, devOutput.text());
  });

  test("the MCP Inspector CLI lists the gateway's tools", async () => {
    const command = `npx @modelcontextprotocol/inspector --cli ${origin}/mcp --transport http --method tools/list`;
    const child = shell(command);
    const out = output(child);
    assert.equal(await exited(child, 60_000), 0, out.text());
    const names = (JSON.parse(out.text().slice(out.text().indexOf("{"))).tools as { name: string }[]).map(
      (t) => t.name,
    );
    assert.ok(names.includes("execute_code") && names.includes("search_tools"), names.join(", "));
  });

  test("the README's notebook cells through the Inspector CLI share the default context", async () => {
    const results = [];
    for (const cell of NOTEBOOK_CELLS) {
      const child = shell(cell.replace("http://127.0.0.1:8787", origin));
      const out = output(child);
      assert.equal(await exited(child, 60_000), 0, out.text());
      results.push(JSON.parse(out.text().slice(out.text().indexOf("{"))));
    }
    assert.equal(results[0].isError, undefined, JSON.stringify(results[0]));
    assert.equal(results[1].structuredContent?.result, 3, JSON.stringify(results[1]));
  });

  test("mcp-remote bridges a stdio initialize to the gateway", async () => {
    const config = mkdtempSync(join(tmpdir(), "cg-mcp-remote-"));
    const child = shell(`npx mcp-remote ${origin}/mcp`, { stdin: true, env: { MCP_REMOTE_CONFIG_DIR: config } });
    try {
      const reply = await new Promise<any>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no initialize reply within 60 s")), 60_000);
        let buffer = "";
        child.stdout!.on("data", (d) => {
          buffer += d;
          for (const line of buffer.split("\n")) {
            if (line.includes('"id":1')) {
              clearTimeout(timer);
              resolve(JSON.parse(line));
            }
          }
        });
        child.stdin!.write(
          `${JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "readme", version: "0" } },
          })}\n`,
        );
      });
      assert.equal(reply.result.serverInfo.name, "codemode-gateway");
    } finally {
      await stop(child);
      rmSync(config, { recursive: true, force: true });
    }
  });

  test("wrangler's local request traces are off (scripts/local-traces.mjs): requests write no trace store", async () => {
    const res = await fetch(`${origin}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "readme", version: "0" } },
      }),
    });
    assert.equal(res.status, 200);
    await res.text();
    // wrangler's default state folder, where it keeps the store when the traces are on. The session's own storage
    // beside it changed, so this looks where the dev server keeps its state (a moved folder would fail here).
    const state = join(ROOT, ".wrangler/state/v3");
    assert.ok(
      changedSince(join(state, "do"), startedAt).some((f) => f.includes("SessionObject")),
      "the dev server wrote no session storage under .wrangler/state/v3/do",
    );
    assert.deepEqual(changedSince(join(state, "observability"), startedAt), []);
  });
});

test("npm run dev -- --ip 0.0.0.0 refuses to start while authentication is off, saying what to configure", async () => {
  const child = shell("npm run dev -- --ip 0.0.0.0");
  const out = output(child);
  assert.equal(await exited(child, 60_000), 1, out.text());
  assert.match(out.text(), /refusing to listen on 0\.0\.0\.0: authentication is off \(auth\.mode = "none"\)/);
  assert.match(out.text(), /allow_unauthenticated = true/);
  assert.doesNotMatch(out.text(), /Ready on/);
});

test("node scripts/api-key.mjs alice prints a key and the line that holds only its hash", async () => {
  const child = shell("node scripts/api-key.mjs alice");
  const out = output(child);
  assert.equal(await exited(child, 30_000), 0);
  const key = /\n {2}(cgk_\S+)\n/.exec(out.text())?.[1];
  assert.ok(key, out.text());
  assert.match(out.text(), /\n {2}alice:sha256:[0-9a-f]{64}\n/);
  assert.ok(!out.text().includes(`alice:${key}`));
});

test("npm run deploy warns that the default configuration has no authentication, then runs wrangler deploy", async () => {
  const outdir = mkdtempSync(join(tmpdir(), "cg-deploy-"));
  try {
    const child = shell(`npm run deploy -- --dry-run --outdir ${outdir}`);
    const out = output(child);
    assert.equal(await exited(child, 120_000), 0, out.text());
    assert.match(
      out.text(),
      /no authentication \(auth\.mode = "none"\): the deployed gateway will answer every MCP request with 403/,
    );
    assert.match(out.text(), /--dry-run: exiting now/);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
