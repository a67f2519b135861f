/**
 * `npm test`'s runner (scripts/run-tests.mjs) on small suites of its own: a file that fails only beside the batch's
 * load passes when run again alone, a file that fails alone too fails the run, and either way the failures are
 * printed again at the end of the output (CI shows a log's tail), each with the test's name, file and error.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "cg-run-tests-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the runner over `files` (name -> source), written as `<name>-<file>`; the sandbox build is skipped. */
function runSuite(name: string, files: Record<string, string>) {
  const paths = Object.entries(files).map(([file, source]) => {
    const path = join(dir, `${name}-${file}`);
    writeFileSync(path, source);
    return path;
  });
  const run = spawnSync(process.execPath, ["scripts/run-tests.mjs", ...paths], {
    cwd: ROOT,
    encoding: "utf8",
    // Without node:test's NODE_TEST_CONTEXT, which would make the runner's own child report to this test process.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, CODEMODE_TEST_PREBUILT: "1" },
    timeout: 120_000,
  });
  return { code: run.status, out: run.stdout, tail: run.stdout.slice(run.stdout.lastIndexOf("=== test failures")) };
}

const PASSING = `import { test } from "node:test";\ntest("passes", () => {});\n`;

test("a file that fails only on its first run passes the run when run again alone, and is still reported", () => {
  const marker = join(dir, "first-run-seen");
  const flaky = [
    `import { test } from "node:test";`,
    `import { existsSync, writeFileSync } from "node:fs";`,
    `test("fails on its first run only", () => {`,
    `  if (existsSync(${JSON.stringify(marker)})) return;`,
    `  writeFileSync(${JSON.stringify(marker)}, "1");`,
    `  throw new Error("first run: the batch was too slow");`,
    `});`,
  ].join("\n");
  const { code, tail } = runSuite("flaky", { "a.test.ts": flaky, "b.test.ts": PASSING });
  assert.equal(code, 0, tail);
  assert.match(tail, /not ok \d+ - fails on its first run only/);
  assert.match(tail, /flaky-a\.test\.ts/);
  assert.match(tail, /first run: the batch was too slow/);
  assert.match(tail, /passed when run again alone \(failed only beside the batch's load\): .*flaky-a\.test\.ts/);
  assert.match(tail, /=== the run passed: every failing file passed when run again alone ===/);
});

test("a file that fails alone too fails the run, and its failure is the output's tail", () => {
  const broken = `import { test } from "node:test";\ntest("always fails", () => { throw new Error("broken for good"); });\n`;
  const { code, out, tail } = runSuite("broken", { "a.test.ts": broken, "b.test.ts": PASSING });
  assert.equal(code, 1, out);
  assert.match(tail, /failed again alone: .*broken-a\.test\.ts/);
  assert.match(tail, /broken for good/);
  assert.ok(out.trimEnd().endsWith("=== the run failed ==="), out.slice(-500));
});

test("a passing suite prints no failure report", () => {
  const { code, out } = runSuite("green", { "a.test.ts": PASSING, "b.test.ts": PASSING });
  assert.equal(code, 0, out);
  assert.doesNotMatch(out, /=== test failures/);
});
