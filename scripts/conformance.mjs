#!/usr/bin/env node
// Runs the official MCP conformance server suite (@modelcontextprotocol/conformance) against the gateway started
// locally with its zero-configuration defaults (wrangler's dev server: workerd, real bindings, 127.0.0.1, a free
// port). Every scenario must pass except those listed in test/conformance-expected-failures.json (fixture tools,
// prompts and resources the gateway does not have by design); a listed scenario that passes fails the run too,
// so the list stays honest. The gateway is always stopped, whatever happens.
//   npm run conformance                      (scripts/node22.sh node scripts/conformance.mjs)
//   npm run conformance -- --scenario ping   (one scenario; the expected-failure check still applies)
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const EXPECTED = join(ROOT, "test/conformance-expected-failures.json");
const REVISION = "2025-11-25";
const TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS ?? 10 * 60_000);
const extraArgs = process.argv.slice(2);

/** Runs the conformance CLI; resolves with its exit code and output (also echoed). */
function runCli(args, { echo = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (stream) => (d) => {
      output += d;
      if (echo) stream.write(d);
    };
    child.stdout.on("data", take(process.stdout));
    child.stderr.on("data", take(process.stderr));
    const timer = setTimeout(() => {
      console.error(`conformance: the suite exceeded ${TIMEOUT_MS} ms; stopping it`);
      child.kill("SIGKILL");
    }, TIMEOUT_MS);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

/** `--requirements <revision>` where the installed suite has it (0.2.0+), else the cumulative spec filter. */
async function revisionArgs() {
  const help = await runCli(["server", "--help"], { echo: false });
  return help.output.includes("--requirements") ? ["--requirements", REVISION] : ["--spec-version", REVISION];
}

/** Scenario name -> failed, from the suite's per-scenario `checks.json` files. */
function readResults(outDir) {
  const results = new Map();
  for (const dir of readdirSync(outDir)) {
    const match = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir);
    if (!match) continue;
    const checks = JSON.parse(readFileSync(join(outDir, dir, "checks.json"), "utf8"));
    const failed = checks.some((c) => c.status === "FAILURE");
    results.set(match[1], (results.get(match[1]) ?? false) || failed);
  }
  return results;
}

async function main() {
  const expected = JSON.parse(readFileSync(EXPECTED, "utf8")).expected_failures;
  const { unstable_startWorker } = await import("wrangler");
  const state = mkdtempSync(join(tmpdir(), "cg-conformance-"));
  const outDir = join(state, "results");
  let worker;
  const stop = async () => {
    const w = worker;
    worker = undefined;
    await w?.dispose().catch(() => {});
    rmSync(state, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => stop().finally(() => process.exit(130)));
  }
  try {
    worker = await unstable_startWorker({
      config: join(ROOT, "wrangler.toml"),
      dev: {
        server: { hostname: "127.0.0.1", port: 0 },
        inspector: false,
        persist: join(state, "wrangler"),
        watch: false,
        logLevel: "warn",
      },
    });
    await worker.ready;
    const url = new URL("/mcp", await worker.url);
    console.log(`conformance: gateway at ${url}`);
    const args = ["server", "--url", url.href, ...(await revisionArgs()), "-o", outDir, ...extraArgs];
    console.log(`conformance: ${args.join(" ")}`);
    await runCli(args);
    const results = readResults(outDir);
    if (results.size === 0) throw new Error("the conformance suite produced no results");

    const unexpected = [...results].filter(([name, failed]) => failed && !(name in expected)).map(([n]) => n);
    const stale = [...results].filter(([name, failed]) => !failed && name in expected).map(([n]) => n);
    const passed = [...results].filter(([, failed]) => !failed).length;
    const expectedFailed = [...results].filter(([name, failed]) => failed && name in expected).length;
    console.log(
      `\nconformance (${REVISION}): ${results.size} scenarios, ${passed} passed, ${expectedFailed} expected failures, ${unexpected.length} unexpected failures, ${stale.length} stale expectations`,
    );
    for (const name of unexpected) console.log(`  UNEXPECTED FAILURE: ${name}`);
    for (const name of stale) {
      console.log(`  PASSES NOW, remove it from test/conformance-expected-failures.json: ${name}`);
    }
    return unexpected.length === 0 && stale.length === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`conformance: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
