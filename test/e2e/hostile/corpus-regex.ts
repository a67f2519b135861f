/**
 * Regular expressions V8 would backtrack on for seconds or for ever: patterns over the size cap, inline modifier
 * groups, polynomial and quadratic patterns, backreferences, and globs that became backtracking regexes on the
 * host. A pattern runs natively only when its work is proven small and charged; anything else runs on the sandbox's
 * metered linear-time engine or is refused with the reason, and the workspace matches globs without regexes.
 */
import assert from "node:assert/strict";
import { all, fails, returns, returnsMatching, type Sample, STEP_BUDGET } from "./sample";

const TOO_LONG =
  /it cannot run in the sandbox because the pattern is \d+ characters long; the sandbox accepts up to 10000/;
/** a?^n a^n: the classic exponential pattern, 10,100 characters. */
const HUGE = `${"a?".repeat(2_525)}${"a".repeat(5_050)}`;

export const regexSamples: Sample[] = [
  {
    name: "a literal over the pattern size cap is refused before running, at its line",
    class: "regex",
    code: `const s = 'a'.repeat(5_050);\nreturn /${HUGE}/.test(s);`,
    expect: fails("syntax", TOO_LONG, 2),
  },
  {
    name: "a pattern over the size cap built at run time is refused",
    class: "regex",
    code: "const p = 'a?'.repeat(2_525) + 'a'.repeat(5_050);\nreturn new RegExp(p).test('a'.repeat(5_050));",
    expect: fails("runtime", TOO_LONG, 2),
  },
  {
    name: "an inline modifier group under nested repetition runs on the linear engine and ends",
    class: "regex",
    code: "return /(?:(?i:a)+)+$/.test('aA'.repeat(5_000) + 'b');",
    expect: returns(false),
  },
  {
    name: "the polynomial /^(.*a){6}!$/ on 5,000 characters runs on the linear engine",
    class: "regex",
    code: "return /^(.*a){6}!$/.test('a'.repeat(5_000));",
    expect: returns(false),
  },
  {
    name: "the quadratic /\\s+$/ on 30,000 spaces runs on the linear engine",
    class: "regex",
    code: "return (' '.repeat(30_000) + 'x').replace(/\\s+$/, '').length;",
    expect: returns(30_001),
  },
  {
    name: "the quadratic /\\d+x/ built at run time on 30,000 digits runs on the linear engine",
    class: "regex",
    code: "return new RegExp(String.raw`\\d+` + 'x').test('1'.repeat(30_000));",
    expect: returns(false),
  },
  {
    name: "replace, matchAll and split on the linear engine give V8's answers",
    class: "regex",
    code: `const pairs = 'k1=v1;k2=v2'.replace(/(\\w+)=(\\w+)/g, '$2=$1');
const dates = [...'2024-01 and 2025-12'.matchAll(/(?<y>\\d+)-(?<m>\\d+)$|(?<y2>\\d+)-(?<m2>\\d+)/g)].map((m) => m.index);
const parts = 'a1b22c333'.split(/(\\d+)$|\\d+/);
return [pairs, dates, parts, /(\\w+)=(\\w+)/.source, String(new RegExp('a/(b+)+$', 'g'))];`,
    expect: returns([
      "v1=k1;v2=k2",
      [0, 12],
      ["a", null, "b", null, "c", "333", ""],
      String.raw`(\w+)=(\w+)`,
      String.raw`/a\/(b+)+$/g`,
    ]),
  },
  {
    name: "a backreference after a repetition with choices is refused with the reason",
    class: "regex",
    code: "return /(a|b)*\\1c/.test('ab'.repeat(30));",
    expect: fails("syntax", /its matching time cannot be bounded: it uses a backreference/, 1),
  },
  {
    name: "a polynomial backreference over 200,000 characters ends at the step budget before running",
    class: "regex",
    code: 'return new RegExp("([\'\\"])(.*?)\\\\1").test("\'" + \'x\'.repeat(200_000));',
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "a short text with the same backreference still matches",
    class: "regex",
    code: "return \"say 'hi' now\".match(/(['\"])(.*?)\\1/)[2];",
    expect: returns("hi"),
  },
  {
    name: "the linear engine charges its work: one long search ends at the step budget",
    class: "regex",
    code: "return /(?:a|b|c|d|e|f|g|h){1,300}$/.test('a'.repeat(2_000_000) + '!');",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "a native bounded pattern is charged per character it may scan",
    class: "regex",
    code: "const s = 'x'.repeat(4_000_000);\nlet n = 0;\nfor (let i = 0; i < 100; i++) if (/(?:a|b)(?:c|d)(?:e|f)(?:g|h)(?:i|j)/.test(s)) n++;\nreturn n;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "a null exec on a linear-engine RegExp cannot hand the pattern to V8's engine",
    class: "regex",
    code: "const r = new RegExp('(a+)+$');\nObject.defineProperty(r, 'exec', { value: null });\nreturn ('a'.repeat(10_000) + 'b').replace(r, '').length;",
    expect: returns(10_001),
  },
  {
    name: "a rewritten literal cannot be re-aimed at V8's engine through compile or the prototype",
    class: "regex",
    code: `const r = /(x+x+)+y/;
Object.setPrototypeOf(r, Object.create(RegExp.prototype, { exec: { value: undefined } }));
const replaced = 'x'.repeat(10_000).replace(r, '').length;
return [r.test('x'.repeat(10_000)), replaced, Reflect.deleteProperty(RegExp.prototype, 'exec'), r.source];`,
    expect: returns([false, 10_000, false, "(x+x+)+y"]),
  },
  {
    name: "a glob that backtracked as a regex is matched linearly by the workspace",
    class: "regex",
    code: `import { write_file, search_files } from 'servers/workspace';
await write_file({ path: '/regex/' + 'a'.repeat(900), content: 'x' });
const r = await search_files({ path: '/regex', pattern: '*a'.repeat(40) + 'b' });
return r.matches ?? r;`,
    expect: returns([]),
    calls: ["workspace.write_file:ok", "workspace.search_files:ok"],
  },
  {
    name: "a glob too costly for the workspace's search budget gets a clear error",
    class: "regex",
    code: `import { write_file, search_files } from 'servers/workspace';
for (let i = 0; i < 15; i++) await write_file({ path: '/costly/' + i + 'a'.repeat(1_000), content: 'x' });
try { await search_files({ path: '/costly', pattern: '*a'.repeat(511) + 'b' }); return 'searched'; }
catch (e) { return e.message; }`,
    expect: returnsMatching(/the pattern is too costly to match against every path under \/costly/),
    calls: [...Array.from({ length: 15 }, () => "workspace.write_file:ok"), "workspace.search_files:error"],
  },
  {
    name: "splitting 500 KB by lines with a regex stays fast (split calls exec once per character)",
    class: "regex",
    code: "const text = 'a line\\r\\n'.repeat(62_500);\nreturn [text.split(/\\r?\\n/).length, text.replace(/\\s+/g, ' ').length];",
    expect: (r) => {
      returns([62_501, 437_500])(r);
      assert.ok(r.duration_ms < 3_000, `took ${r.duration_ms} ms`);
    },
  },
  {
    name: "everyday regexes keep working and stay native",
    class: "regex",
    code: `const email = /^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$/;
return [email.test('me@example.com'), 'a, b,c'.split(/,\\s*/), '2024-05-06'.match(/^(\\d{4})-(\\d{2})-(\\d{2})$/).slice(1), /\\d+/g[Symbol.replace]('a1b22', '#')];`,
    expect: all(returns([true, ["a", "b", "c"], ["2024", "05", "06"], "a#b#"])),
  },
  {
    name: "the Function constructor cannot smuggle a regex literal past the check",
    class: "regex",
    code: "const F = (() => {}).constructor;\nreturn F('return /(a+)+$/')().test('a'.repeat(40) + 'b');",
    expect: fails("runtime", /Code generation from strings disallowed/, 2),
  },
  {
    name: "string replace and split without regexes work in a program that never names one",
    class: "regex",
    code: "return ['a-b-c'.split('-'), 'x.y'.replace('.', '!'), 'aXbX'.replaceAll('X', '')];",
    expect: returns([["a", "b", "c"], "x!y", "ab"]),
  },
  {
    name: "URLPattern, whose wildcards V8 backtracks on unguarded, is refused with the reason in a program naming no regex",
    class: "regex",
    code: "const p = new URLPattern({ pathname: '*a*a*a*a*b' });\nreturn p.test({ pathname: '/' + 'a'.repeat(20) + 'c' });",
    expect: fails("runtime", /URLPattern is not available in the sandbox: its patterns run on V8's backtracking/, 1),
  },
  {
    name: "URLPattern's regex groups are refused in a program with the full guard too",
    class: "regex",
    code: "const guarded = new RegExp('x');\nreturn new URLPattern({ pathname: '/:x((?:a|a)+b)' }).test({ pathname: '/aac' });",
    expect: fails("runtime", /URLPattern is not available in the sandbox/, 2),
  },
  {
    name: "the native URLPattern cannot be reached through the global scope's prototype chain",
    class: "regex",
    code: "const holders = [];\nfor (let o = globalThis; o; o = Object.getPrototypeOf(o)) if (Object.hasOwn(o, 'URLPattern')) holders.push(o === globalThis);\nreturn holders;",
    expect: returns([true]),
  },
  {
    name: "naming match in a string is enough to get the full guard, which plans the pattern",
    class: "regex",
    code: "const m = 'match';\nreturn ('a'.repeat(5_000) + 'b')[m]('(a+)+$');",
    expect: returns(null),
  },
];
