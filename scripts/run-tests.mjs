#!/usr/bin/env node
// Runs the test suite with node:test (TypeScript through tsx) under a hard watchdog: a sandbox regression that
// freezes local workerd (a synchronous loop the guard missed) must fail the run, never hang CI.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { quietLocalTraces } from "./local-traces.mjs";

// The gateways the tests start run as `npm run dev` runs them: without wrangler's local request traces.
quietLocalTraces();

// The whole suite takes about 15 minutes on a 2-core machine (13.9 min for the parallel batch of 1,666 tests, then
// the clean-clone install); 22 leaves room for a slower runner and for failed files run again alone, and stays
// under CI's own 24-minute kill (.ci/run).
const WATCHDOG_MS = Number(process.env.TEST_WATCHDOG_MS ?? 22 * 60_000);
// --test-timeout applies to a whole file too: the hostile corpus (about 220 samples, two executions each) needs
// several minutes on a loaded machine.
const TEST_TIMEOUT_MS = 300_000;
// Files that run alone, after the others, with their own time budget (ms): a fresh clone's `npm install` writes
// ~650 MB and takes minutes on a loaded machine, and it would starve the timing-sensitive tests beside it.
const ALONE = new Map([["test/e2e/clean-clone.test.ts", 300_000]]);
const roots = process.argv.slice(2).length ? process.argv.slice(2) : ["test"];

function collect(path, out) {
  if (statSync(path).isFile()) return path.endsWith(".test.ts") ? out.push(path) : undefined;
  for (const name of readdirSync(path).sort()) collect(join(path, name), out);
}
const files = [];
for (const root of roots) collect(root, files);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(", ")}`);
  process.exit(1);
}
const key = (file) => relative(process.cwd(), resolve(file)).split("\\").join("/");
const batches = [{ files: files.filter((f) => !ALONE.has(key(f))), timeoutMs: TEST_TIMEOUT_MS, concurrency: 2 }];
for (const file of files.filter((f) => ALONE.has(key(f)))) {
  batches.push({ files: [file], timeoutMs: ALONE.get(key(file)), concurrency: 1 });
}

// wrangler's custom build (wrangler.toml [build] command) once for the suite; the tests' gateways then skip it
// (test/support/gateway.ts), about 1.3 s of every start.
const buildCommand = /^\[build\]\ncommand = "([^"\n]+)"$/m.exec(readFileSync("wrangler.toml", "utf8"))?.[1];
if (!buildCommand) {
  console.error('wrangler.toml has no [build] command = "..." line for the tests to run once');
  process.exit(1);
}
// Then the Worker, bundled once as `wrangler dev` bundles it (scripts/bundle-worker.mjs): the gateways start from that
// bundle with no bundling, about 1.1 s of esbuild CPU less per start (test/support/worker-build.ts). Unit tests start
// none. The folder is this run's own, complete before any test starts, and removed when the runner exits.
if (!process.env.CODEMODE_TEST_PREBUILT) {
  const built = spawnSync(buildCommand, { stdio: "inherit", shell: true });
  if (built.status !== 0) process.exit(built.status ?? 1);
  process.env.CODEMODE_TEST_PREBUILT = "1";
  if (!files.every((f) => key(f).startsWith("test/unit/"))) {
    const started = Date.now();
    const { bundleWorkerForTests } = await import("./bundle-worker.mjs");
    const bundleDir = await bundleWorkerForTests().catch((err) => {
      console.error("bundling the Worker for the tests failed:", err);
      process.exit(1);
    });
    process.on("exit", () => rmSync(bundleDir, { recursive: true, force: true }));
    process.env.CODEMODE_TEST_WORKER_BUNDLE = bundleDir;
    console.log(`worker bundle for the tests' gateways: ${bundleDir} (${Date.now() - started} ms)`);
  }
}

let child;
const watchdog = setTimeout(() => {
  console.error(`\nwatchdog: the test run exceeded ${WATCHDOG_MS} ms; killing it`);
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  process.exit(124);
}, WATCHDOG_MS);

// Failures are printed again at the very end of the run (CI shows its output's tail), each with its YAML block.
const MAX_FAILURE_LINES = 400;
function failuresOf(lines) {
  const failures = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - /.exec(lines[i]);
    if (!m) continue;
    const block = [lines[i]];
    if (lines[i + 1] === `${m[1]}  ---`) {
      for (let j = i + 1; j < lines.length && j < i + 60; j++) {
        block.push(lines[j]);
        if (lines[j] === `${m[1]}  ...`) break;
      }
    }
    const file = /^\s*location: '([^':]+)/m.exec(block.join("\n"))?.[1];
    failures.push({ text: block.join("\n"), file });
  }
  return failures;
}

function run({ files, timeoutMs, concurrency }) {
  return new Promise((done) => {
    child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...files],
      { stdio: ["inherit", "pipe", "inherit"], detached: true },
    );
    const lines = [];
    let partial = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      const text = partial + chunk.toString("utf8");
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) lines.push(line);
    });
    child.on("close", (code, signal) => {
      if (partial) lines.push(partial);
      done({ code: code ?? (signal ? 1 : 0), failures: failuresOf(lines) });
    });
  });
}

// A file that failed in the parallel batch runs once more, alone: a test that fails only beside another file's load
// is reported as such (and still listed), while one that fails alone too fails the run.
let failed = 0;
const report = [];
for (const batch of batches) {
  if (batch.files.length === 0) continue;
  const { code, failures } = await run(batch);
  if (code === 0) continue;
  const failedFiles = [...new Set(failures.map((f) => f.file).filter(Boolean))].map((f) => relative(process.cwd(), f));
  report.push(
    `${failures.length} failing test lines in the batch of ${batch.files.length} file(s):`,
    ...failures.map((f) => f.text),
  );
  const known = failedFiles.filter((f) => batch.files.some((x) => key(x) === key(f)));
  const located =
    failures.length > 0 && failures.every((f) => f.file && known.includes(relative(process.cwd(), f.file)));
  if (batch.files.length > 1 && located && known.length <= 3) {
    console.log(`\nrunning ${known.length} failed file(s) again, alone: ${known.join(", ")}`);
    const again = await run({ files: known, timeoutMs: batch.timeoutMs, concurrency: 1 });
    report.push(
      again.code === 0
        ? `passed when run again alone (failed only beside the batch's load): ${known.join(", ")}`
        : `failed again alone: ${known.join(", ")}`,
      ...again.failures.map((f) => f.text),
    );
    failed ||= again.code;
  } else {
    failed ||= code;
  }
}
clearTimeout(watchdog);
if (report.length > 0) {
  const lines = report.join("\n").split("\n");
  console.log("\n=== test failures (repeated from above) ===");
  console.log(lines.slice(0, MAX_FAILURE_LINES).join("\n"));
  if (lines.length > MAX_FAILURE_LINES) console.log(`... ${lines.length - MAX_FAILURE_LINES} more lines above`);
  console.log(
    failed ? "=== the run failed ===" : "=== the run passed: every failing file passed when run again alone ===",
  );
}
process.exit(failed);
