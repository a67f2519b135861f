import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyRegex } from "../../../src/sandbox/prepare-regex";

/** Everyday regexes (sources without slashes), none of which may be flagged. */
const COMMON = [
  String.raw`^[^\s@]+@[^\s@]+\.[^\s@]+$`,
  String.raw`^[\w.+-]+@[\w-]+\.[\w.-]+$`,
  String.raw`^[a-zA-Z0-9._%+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$`,
  String.raw`^\d{4}-\d{2}-\d{2}$`,
  String.raw`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$`,
  String.raw`\s+`,
  String.raw`^\s+|\s+$`,
  String.raw`(\w+)\s(\w+)`,
  String.raw`\b\w+\b`,
  String.raw`^https?:\/\/[^\s/$.?#].[^\s]*$`,
  String.raw`^(?:[a-z0-9-]+\.)+[a-z]{2,}$`,
  String.raw`^\d+(\.\d+)?$`,
  String.raw`^-?\d*\.?\d+(?:[eE][-+]?\d+)?$`,
  String.raw`^#?([a-f0-9]{6}|[a-f0-9]{3})$`,
  String.raw`^([01]?\d|2[0-3]):[0-5]\d$`,
  String.raw`^((25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(25[0-5]|2[0-4]\d|[01]?\d\d?)$`,
  String.raw`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
  String.raw`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`,
  String.raw`^(\+\d{1,2}\s)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}$`,
  String.raw`^(?=.*[A-Z])(?=.*[a-z])(?=.*\d).{8,}$`,
  String.raw`\[([^\]]+)\]\(([^)]+)\)`,
  String.raw`"(?:[^"\\]|\\.)*"`,
  String.raw`\/\*(?:[^*]|\*(?!\/))*\*\/`,
  String.raw`("([^"]|"")*"|[^,]*)(,|$)`,
  String.raw`(.|\n)*?`,
  String.raw`(\r\n|\n|\r)`,
  String.raw`^[A-Z][a-z]+(?: [A-Z][a-z]+)*$`,
  String.raw`(?:^|\s)#(\w+)`,
  String.raw`^(.+)\/([^/]+)$`,
  String.raw`^(\s*\w+\s*=\s*\w+\s*;?)*$`,
  String.raw`(\w+\s)+`,
  String.raw`\{\{\s*(\w+)\s*\}\}`,
  String.raw`a{2,}b{1,3}`,
  String.raw`^[^{}]*$`,
  String.raw`(?<year>\d{4})-(?<month>\d{2})`,
  String.raw`(['"])(.*?)\1`,
  String.raw`\p{L}+`,
  String.raw`(\w+-)+\w+`,
  String.raw`(\S+\s)+`,
  String.raw`([^,]+,)+`,
  String.raw`(\d+[.,])+\d+`,
  String.raw`(?:\r?\n)+`,
  String.raw`(a+b)+`,
];

/** Patterns V8 runs for exponential or polynomial time on some input of a few thousand characters. */
const SLOW = [
  String.raw`(a+)+`,
  String.raw`(a*)*`,
  String.raw`^(a+)+$`,
  String.raw`(a|aa)+$`,
  String.raw`(\w|\d)+$`,
  String.raw`^(\w+\s?)*$`,
  String.raw`(?:\s*\w+)*$`,
  String.raw`(\d+,?)+x`,
  String.raw`^([a-zA-Z0-9]+)*@`,
  String.raw`(.*a){2,}`,
  String.raw`((a+))+`,
  String.raw`(\w|ab)*c`,
  String.raw`(?:x+x+)+y`,
  String.raw`(a+?)+?b`,
  String.raw`(.+,)+x`,
  String.raw`(\w+\d)+$`,
  String.raw`(a\w+)+$`,
  String.raw`(?:(?i:a)+)+$`,
  String.raw`^(.*a){6}!$`,
  String.raw`\s+$`,
  String.raw`\d+x`,
  String.raw`[a-z]+1`,
  String.raw`(?:a|a){30}b`,
  String.raw`(?=(a+))+b`,
];

const plan = (pattern: string, flags = "") => classifyRegex(pattern, flags);

describe("classifyRegex", () => {
  it("refuses no common regex", () => {
    for (const pattern of COMMON) {
      assert.doesNotThrow(() => new RegExp(pattern), pattern);
      assert.notEqual(plan(pattern).engine, "refused", pattern);
    }
  });

  it("never runs an exponential or polynomial pattern natively uncharged", () => {
    for (const pattern of SLOW) {
      const p = plan(pattern);
      assert.ok(p.engine !== "native" || p.degree > 0, `${pattern}: ${JSON.stringify(p)}`);
    }
    assert.equal(plan("(a+)+$").engine, "linear");
  });

  it("runs bounded patterns natively with their work per starting position", () => {
    assert.deepEqual(plan(String.raw`^\d{4}-\d{2}-\d{2}$`), { engine: "native", work: 11, degree: 0, run: false });
    assert.deepEqual(plan("[,;]"), { engine: "native", work: 2, degree: 0, run: false });
    assert.deepEqual(plan("(a|b)c"), { engine: "native", work: 6, degree: 0, run: false });
  });

  it("runs a trailing run of one character natively: nothing after it can fail", () => {
    for (const pattern of [String.raw`\s+`, String.raw`\d+`, "[^,]*", String.raw`key=(\w+)`, String.raw`x\d+|y`]) {
      assert.equal(plan(pattern).engine, "native", pattern);
    }
    assert.equal(plan(String.raw`\d+$`).engine, "linear");
  });

  it("runs backreferences natively only with a small polynomial degree, charged as such", () => {
    assert.deepEqual(plan(String.raw`(['"])(.*?)\1`), { engine: "native", work: 4, degree: 1, run: false });
    assert.deepEqual(plan(String.raw`(a*)\1b`), { engine: "native", work: 4, degree: 2, run: false });
    assert.deepEqual(plan(String.raw`(\d)\1`), { engine: "native", work: 3, degree: 0, run: false });
  });

  it("refuses a backreference after a repetition with choices, saying why", () => {
    const p = plan(String.raw`(a|b)*\1`);
    assert.equal(p.engine, "refused");
    assert.match(p.engine === "refused" ? p.reason : "", /backreference .* Bound the repetitions/);
  });

  it("refuses patterns over 10,000 characters, however they are written", () => {
    const p = plan("a".repeat(10_001));
    assert.deepEqual(p, {
      engine: "refused",
      reason: "the pattern is 10001 characters long; the sandbox accepts up to 10000",
    });
  });

  it("refuses counted repetitions that expand past the linear engine's program size", () => {
    const p = plan("(.*){1,32000}[bc]");
    assert.equal(p.engine, "refused");
    assert.match(p.engine === "refused" ? p.reason : "", /counted repetitions expand to more than 20000 steps/);
  });

  it("understands inline modifier groups, named groups and v-flag classes", () => {
    assert.equal(plan("(?i:ab)c").engine, "native");
    assert.equal(plan("(?<year>\\d{4})").engine, "native");
    assert.equal(plan("[\\p{L}--[a-z]]+$", "v").engine, "linear");
    assert.equal(plan("[\\q{a|aa}]+$", "v").engine, "refused");
    assert.deepEqual(plan("x[\\q{ab|c}]", "v"), { engine: "native", work: 144, degree: 0, run: false });
    assert.equal(plan("(?-i:a)+$", "i").engine, "linear");
  });

  it("refuses what it cannot parse instead of guessing", () => {
    const p = plan("(?x:a)");
    assert.equal(p.engine, "refused");
    assert.match(p.engine === "refused" ? p.reason : "", /does not understand it/);
  });

  it("plans a counted repetition of 2^32 - 1 without counting to it", () => {
    assert.equal(plan("a{0,4294967295}").engine, "refused");
    assert.equal(plan("(?:ab){4294967295}").engine, "refused");
  });

  it("plans a 10,000-character pattern of 2,000 groups in bounded work", () => {
    const pattern = "(a|b)".repeat(2_000);
    assert.equal(plan(pattern).engine, "linear");
    assert.equal(plan("(".repeat(5_000) + ")".repeat(5_000)).engine, "refused");
  });
});
