import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findCatastrophicRegex } from "../../../src/sandbox/prepare-regex";

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

const CATASTROPHIC = [
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
];

describe("findCatastrophicRegex", () => {
  it("flags nothing in common regexes", () => {
    for (const pattern of COMMON) {
      assert.doesNotThrow(() => new RegExp(pattern), pattern);
      assert.equal(findCatastrophicRegex(pattern), undefined, pattern);
    }
  });

  it("flags nested unbounded quantifiers and overlapping repeated alternatives", () => {
    for (const pattern of CATASTROPHIC) assert.ok(findCatastrophicRegex(pattern), pattern);
  });

  it("proves the flagged shapes are slow and the common ones fast (V8, small inputs)", () => {
    const time = (re: RegExp, input: string) => {
      const start = performance.now();
      re.test(input);
      return performance.now() - start;
    };
    assert.ok(time(/^(a+)+$/, `${"a".repeat(24)}!`) > 5 * time(/^a+$/, `${"a".repeat(24)}!`) + 1);
  });

  it("gives up quietly on huge, deep or unparsable patterns", () => {
    assert.equal(findCatastrophicRegex("(".repeat(10_000) + ")".repeat(10_000)), undefined);
    assert.equal(findCatastrophicRegex("a".repeat(20_000)), undefined);
    assert.equal(findCatastrophicRegex("(a"), undefined);
    assert.equal(findCatastrophicRegex("*a"), undefined);
  });
});
