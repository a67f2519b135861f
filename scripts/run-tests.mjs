#!/usr/bin/env node
// Runs the test suite with node:test (TypeScript through tsx) under a hard watchdog: a sandbox regression that
// freezes local workerd (a synchronous loop the guard missed) must fail the run, never hang CI.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { quietLocalTraces } from "./local-traces.mjs";

// The gateways the tests start run as `npm run dev` runs them: without wrangler's local request traces.
quietLocalTraces();

// The whole suite takes about 15 minutes on a 2-core machine (14.6 min for the parallel batch in a fresh-clone CI
// run, then the clean-clone install); 18 leaves room for a slower runner and stays under CI's own 20-minute kill.
const WATCHDOG_MS = Number(process.env.TEST_WATCHDOG_MS ?? 18 * 60_000);
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
const built = spawnSync(buildCommand, { stdio: "inherit", shell: true });
if (built.status !== 0) process.exit(built.status ?? 1);
process.env.CODEMODE_TEST_PREBUILT = "1";

let child;
const watchdog = setTimeout(() => {
  console.error(`\nwatchdog: the test run exceeded ${WATCHDOG_MS} ms; killing it`);
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  process.exit(124);
}, WATCHDOG_MS);

function run({ files, timeoutMs, concurrency }) {
  return new Promise((done) => {
    child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...files],
      { stdio: "inherit", detached: true },
    );
    child.on("exit", (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

let failed = 0;
for (const batch of batches) {
  if (batch.files.length === 0) continue;
  const code = await run(batch);
  failed ||= code;
}
clearTimeout(watchdog);
process.exit(failed);
