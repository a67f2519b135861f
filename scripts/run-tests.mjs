#!/usr/bin/env node
// Runs the test suite with node:test (TypeScript through tsx) under a hard watchdog: a sandbox regression that
// freezes local workerd (a synchronous loop the guard missed) must fail the run, never hang CI.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const WATCHDOG_MS = Number(process.env.TEST_WATCHDOG_MS ?? 15 * 60_000);
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

// --test-timeout applies to a whole file too: the hostile corpus (190 samples, two executions each) needs about two
// minutes on a loaded machine.
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=300000", ...files],
  { stdio: "inherit", detached: true },
);
const watchdog = setTimeout(() => {
  console.error(`\nwatchdog: the test run exceeded ${WATCHDOG_MS} ms; killing it`);
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  process.exit(124);
}, WATCHDOG_MS);
child.on("exit", (code, signal) => {
  clearTimeout(watchdog);
  process.exit(code ?? (signal ? 1 : 0));
});
