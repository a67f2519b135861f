/**
 * worker-loader/regex-check.js is generated from src/sandbox/prepare-regex.ts and the modules it uses
 * (scripts/gen-regex-check.mjs) so the sandbox plans run-time regexes as the host plans literals. These tests fail
 * when the copy is stale or differs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { classifyRegex, type RegexPlan } from "../../../src/sandbox/prepare-regex";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** Patterns of both kinds, and some the detector cannot parse. */
const PATTERNS = [
  String.raw`^[^\s@]+@[^\s@]+\.[^\s@]+$`,
  String.raw`^\d{4}-\d{2}-\d{2}$`,
  String.raw`"(?:[^"\\]|\\.)*"`,
  String.raw`(\w+\s)+`,
  String.raw`(?<year>\d{4})-(?<month>\d{2})`,
  "(a+)+",
  "(a|aa)+$",
  String.raw`^(\w+\s?)*$`,
  "(x+x+)+y",
  "(.*a){2,}",
  String.raw`(\w|ab)*c`,
  String.raw`(a|b)*\1`,
  "(?i:a)+$",
  "",
];

test("the sandbox's regex-check.js is up to date with prepare-regex.ts", () => {
  const r = spawnSync(process.execPath, ["scripts/gen-regex-check.mjs", "--check"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

test("the sandbox's copy gives the host's plan for every pattern", async () => {
  const copy = (await import(pathToFileURL(`${root}worker-loader/regex-check.js`).href)) as {
    classifyRegex(pattern: string, flags: string): RegexPlan;
  };
  for (const pattern of PATTERNS) {
    assert.deepEqual(copy.classifyRegex(pattern, ""), classifyRegex(pattern, ""), pattern);
  }
  const engines = new Set(PATTERNS.map((p) => classifyRegex(p, "").engine));
  assert.deepEqual([...engines].sort(), ["linear", "native", "refused"]);
});
