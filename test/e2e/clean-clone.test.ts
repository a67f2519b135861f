/**
 * The quick start on a fresh clone, as a new user runs it: `npm install && npm run dev` leaves `git status` clean
 * (the committed lock file is the one npm writes; a second install changes nothing) and prints no warnings.
 * npm runs on the Node the user has first on PATH (the system Node, possibly 20), not on the Node 22 the tests
 * run on; packages come from npm's cache when it has them, so only a cold cache needs the registry.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/upstreams";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const INSTALL_TIMEOUT_MS = 240_000;

/** PATH as the user has it: without the Node 22 that scripts/node22.sh put first, when another node is on it. */
function userPath(): string {
  const own = dirname(process.execPath);
  const rest = (process.env.PATH ?? "").split(delimiter).filter((p) => p !== own);
  return rest.some((p) => existsSync(join(p, "node"))) ? rest.join(delimiter) : (process.env.PATH ?? "");
}

const env = { ...process.env, PATH: userPath(), npm_config_prefer_offline: "true" };
let clone: string;

function run(command: string, timeoutMs = INSTALL_TIMEOUT_MS): string {
  return execFileSync("sh", ["-c", `${command} 2>&1`], { cwd: clone, env, encoding: "utf8", timeout: timeoutMs });
}

const status = () => execFileSync("git", ["status", "--porcelain"], { cwd: clone, encoding: "utf8" });

before(() => {
  clone = mkdtempSync(join(tmpdir(), "cg-clone-"));
  execFileSync("git", ["clone", "--quiet", ROOT, clone]);
});
after(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

test("npm install on a fresh clone leaves the work tree clean and prints no warning", {
  timeout: INSTALL_TIMEOUT_MS + 10_000,
}, () => {
  const out = run("npm install");
  assert.doesNotMatch(out, /warn|EBADENGINE/i, out);
  assert.equal(status(), "");
});

test("a second install (with warnings shown) changes nothing", { timeout: INSTALL_TIMEOUT_MS + 10_000 }, () => {
  run("npm install --loglevel=warn");
  assert.equal(status(), "");
});

test("npm run dev on the fresh clone serves /health, stores a user's secret with the CONNECTIONS_KEY it wrote to .dev.vars, reloads an edited source, and leaves the work tree clean", {
  timeout: 270_000,
}, async () => {
  // The quick start's second command; --port keeps it off 8787, which a developer's own dev server may hold.
  const port = await freePort();
  const dev = spawn("sh", ["-c", `npm run dev -- --port ${port}`], {
    cwd: clone,
    env,
    detached: true,
    stdio: "ignore",
  });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      assert.equal(dev.exitCode, null, "npm run dev exited");
      assert.ok(Date.now() < deadline, "npm run dev did not answer /health within 120 s");
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
    // Users' servers with credentials need CONNECTIONS_KEY; npm run dev writes a local one, so they work at once.
    const put = await fetch(`http://127.0.0.1:${port}/secrets/DEMO_TOKEN?hosts=127.0.0.1`, {
      method: "PUT",
      body: "t0k3n",
    });
    assert.equal(put.status, 200, await put.text());
    assert.match(readFileSync(join(clone, ".dev.vars"), "utf8"), /^CONNECTIONS_KEY=[0-9a-f]{64}$/m);

    // A change to the Worker's source is served without restarting (wrangler.toml watch_dir), and so is its undo.
    const source = join(clone, "src/mcp/gateway-server.ts");
    const original = readFileSync(source, "utf8");
    const served = async (version: string) => {
      const until = Date.now() + 60_000;
      for (;;) {
        const health = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.json(),
          () => undefined,
        );
        if ((health as { version?: string } | undefined)?.version === version) return;
        assert.ok(Date.now() < until, `npm run dev did not serve the edited source (version ${version}) within 60 s`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    writeFileSync(source, original.replace('GATEWAY_VERSION = "0.1.0"', 'GATEWAY_VERSION = "0.1.0-edited"'));
    await served("0.1.0-edited");
    writeFileSync(source, original);
    await served("0.1.0");
  } finally {
    await new Promise<void>((resolve) => {
      if (dev.exitCode !== null || dev.pid === undefined) return resolve();
      dev.once("exit", () => resolve());
      process.kill(-dev.pid, "SIGTERM");
      setTimeout(() => {
        try {
          process.kill(-dev.pid!, "SIGKILL");
        } catch {}
      }, 5_000).unref();
    });
  }
  assert.equal(status(), "");
});
