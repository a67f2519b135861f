/**
 * The result cap (src/sandbox/reply-caps.ts capResult): a result over max_result_bytes comes back as a preview with
 * a marker; a string result as the string's own beginning, never as its JSON text cut (a stray quote, a cut escape).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayConfigSchema } from "../../../src/config";
import { capResult, isTruncatedResult } from "../../../src/sandbox/reply-caps";

const limits = { ...GatewayConfigSchema.parse({}).limits, max_result_bytes: 12 };
const MARKER =
  /…\[truncated: the result was \d+ bytes; max_result_bytes is 12\. Return less, or keep data in the workspace\]$/;

test("a cut string result is the string's beginning, with whole escapes only", () => {
  const values = [
    "abcdefghijklmnopqrstuvwxyz",
    'say "hi" to everyone',
    "line\nline\nline\nline",
    "é".repeat(30),
    "x\u0001yyyyyyyyyyyy",
    "\u{1F600}".repeat(10),
    "\\".repeat(20),
  ];
  for (const value of values) {
    const capped = capResult(JSON.stringify(value), limits) as string;
    assert.match(capped, MARKER, JSON.stringify(capped));
    const shown = capped.replace(MARKER, "");
    assert.ok(shown.length > 0 && value.startsWith(shown), `${JSON.stringify(value)} -> ${JSON.stringify(capped)}`);
    // As much as fits: the shown text's JSON (less its closing quote) is the first 12 characters but a cut escape.
    assert.ok(JSON.stringify(shown).length - 1 >= 12 - 5, JSON.stringify(shown));
  }
  assert.equal(String(capResult(JSON.stringify("abcdefghijklmnopqrstuvwxyz"), limits)).slice(0, 12), "abcdefghijk…");
  assert.equal(String(capResult(JSON.stringify('say "hi" to everyone'), limits)).slice(0, 10), 'say "hi" …');
});

test("an array or object result over the cap is previewed as its JSON text; within it, parsed", () => {
  const capped = capResult(JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8]), limits) as string;
  assert.equal(capped.slice(0, 12), "[1,2,3,4,5,6");
  assert.match(capped.slice(12), MARKER);
  assert.deepEqual(capResult(JSON.stringify([1, 2]), limits), [1, 2]);
  assert.equal(capResult(JSON.stringify("short"), limits), "short");
  assert.match(String(capResult(JSON.stringify("x".repeat(20)), limits, 5_000)), /the result was 5000 bytes/);
});

test("the text rendering tells a cut result from a string the program returned", () => {
  assert.equal(isTruncatedResult(capResult(JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8]), limits)), true);
  assert.equal(isTruncatedResult(capResult(JSON.stringify("abcdefghijklmnopqrstuvwxyz"), limits)), true);
  assert.equal(isTruncatedResult("[1,2,3]…[truncated: the result was many bytes"), false);
  assert.equal(isTruncatedResult(capResult(JSON.stringify([1, 2]), limits)), false);
});
