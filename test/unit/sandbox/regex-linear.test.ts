/**
 * The sandbox's linear-time regex engine gives V8's matches and captures (tested against V8 on the same inputs) and
 * its work grows linearly with the text, whatever the pattern, counted in the steps it charges.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileLinear, execLinear } from "../../../src/sandbox/regex-linear";
import { parseRegex } from "../../../src/sandbox/regex-syntax";

/** [pattern, flags, inputs]: every input is matched by both engines from index 0. */
const CASES: Array<[string, string, string[]]> = [
  ["(a+)+$", "", ["aaaa", "aaab", "b", ""]],
  [String.raw`(\w+)=(\w+)`, "", ["abc=def x=y", "==", "k=v"]],
  [String.raw`^(?=.*[A-Z])(?=.*[a-z])(?=.*\d).{8,}$`, "", ["Passw0rdX", "password", "PASSWORD1a"]],
  ["(a|ab)(c|bcd)(d*)", "", ["abcd", "acd"]],
  ["a*?b", "", ["aaab", "b", "c"]],
  ["^(.*a){6}!$", "", ["aaaaaa!", "aaaaaaaaa", "xaxaxaxaxaxa!"]],
  [String.raw`\bfoo\b`, "i", ["a FOO b", "afoo", "foo"]],
  [String.raw`^\s+|\s+$`, "", ["  x  ", "x", "x  "]],
  [String.raw`(\d+)-(\d+)?`, "", ["12-", "12-34", "-"]],
  ["(a)|(b)", "", ["b", "ab", "c"]],
  [String.raw`(?<y>\d{4})-(?<m>\d\d)+`, "", ["2024-1112", "2024-1"]],
  ["(z)((a+)?(b+)?(c))*", "", ["zaacbbbcac", "zcz"]],
  ["[^]*?x", "", ["abcx", "abc"]],
  [String.raw`\u{1F600}+`, "u", ["x😀😀y", "x"]],
  [".+", "u", ["😀a", "\n"]],
  [".", "", ["😀"]],
  ["^$", "m", ["a\n\nb", "ab"]],
  ["^b$", "m", ["a\nb\r\nc", "a\u2028b"]],
  [String.raw`(?<=\$)\d+(\.\d+)*`, "", ["cost $12.50.3", "12"]],
  [String.raw`x(?!y)\w*`, "", ["xy xz", "xy"]],
  ["(a*)*b", "", ["aaab", "aaa", "b"]],
  ["(a|)+b", "", ["aab", "b"]],
  ["[a-z]+?\\d", "i", ["ABC1", "abc"]],
  [String.raw`(?:(\d)|x)+`, "", ["1x2x", "x1"]],
  ["\\s+", "", ["a \t\u00a0b", "ab"]],
  [String.raw`[\p{L}--[a-z]]+`, "v", ["abcÄÖxY", "abc"]],
  ["ſ", "iu", ["S", "s"]],
  [String.raw`\w\b`, "iu", ["aſ", "a"]],
  ["a{2,4}", "", ["aaaaa", "a"]],
  ["a{2,}?", "", ["aaaaa"]],
  ["(?:ab){0,2}c", "", ["ababc", "abababc", "c"]],
];

function runLinear(pattern: string, flags: string, input: string, spend: (n: number) => void = () => {}) {
  const program = compileLinear(parseRegex(pattern, flags));
  const caps = execLinear(program, input, 0, flags.includes("y"), spend);
  if (!caps) return null;
  const groups: Array<string | undefined> = [];
  for (let g = 0; g < caps.length / 2; g++) {
    const [start, end] = [caps[2 * g], caps[2 * g + 1]];
    groups.push(start === undefined || end === undefined ? undefined : input.slice(start, end));
  }
  return { index: caps[0], groups };
}

describe("execLinear", () => {
  for (const [pattern, flags, inputs] of CASES) {
    it(`matches /${pattern}/${flags} as V8 does`, () => {
      for (const input of inputs) {
        const native = new RegExp(pattern, flags).exec(input);
        const linear = runLinear(pattern, flags, input);
        assert.deepEqual(
          linear,
          native ? { index: native.index, groups: [...native] } : null,
          `${JSON.stringify(input)}`,
        );
      }
    });
  }

  it("starts at the given index and, sticky, only there", () => {
    const program = compileLinear(parseRegex("b+", ""));
    assert.deepEqual(
      execLinear(program, "abab", 2, false, () => {}),
      [3, 4],
    );
    assert.equal(
      execLinear(program, "abab", 2, true, () => {}),
      null,
    );
    assert.deepEqual(
      execLinear(program, "abab", 3, true, () => {}),
      [3, 4],
    );
  });

  it("charges work linear in the text for patterns V8 runs exponentially or polynomially", () => {
    const inputs: Array<[string, (n: number) => string]> = [
      ["(a+)+$", (n) => `${"a".repeat(n)}!`],
      ["(a|aa)+$", (n) => `${"a".repeat(n)}!`],
      ["^(.*a){6}!$", (n) => "a".repeat(n)],
      [String.raw`\s+$`, (n) => `${" ".repeat(n)}x`],
    ];
    for (const [pattern, input] of inputs) {
      const charged = (n: number) => {
        let steps = 0;
        runLinear(pattern, "", input(n), (s) => {
          steps += s;
        });
        return steps;
      };
      const small = charged(2_000);
      const large = charged(20_000);
      assert.ok(small > 0, pattern);
      assert.ok(large < 12 * small, `${pattern}: ${small} steps for 2,000 characters, ${large} for 20,000`);
    }
  });

  it("stops when spend throws, in the middle of a long search", () => {
    const program = compileLinear(parseRegex("(a+)+$", ""));
    let steps = 0;
    assert.throws(
      () =>
        execLinear(program, `${"a".repeat(1_000_000)}!`, 0, false, (n) => {
          steps += n;
          if (steps > 1_000) throw new RangeError("budget spent");
        }),
      /budget spent/,
    );
    // Charged every 4,096 operations at 4 steps each: it stops at the first charge past the limit.
    assert.ok(steps <= 4 * 4_096, `${steps} steps charged`);
  });
});
