/**
 * Runaway CPU: loops in every syntactic form, loops that try to outlive the guard, timers, promises that never
 * settle, regular expressions with exponential backtracking, and built-ins that loop over huge lengths. Locally no
 * CPU limit exists, so each must end through the step guard, the regex checks or a timeout, never by luck.
 */
import { all, fails, returns, type Sample, STEP_BUDGET } from "./sample";

export const cpuSamples: Sample[] = [
  { name: "while (true) {}", class: "cpu", code: "while (true) {}", expect: fails("step_budget", STEP_BUDGET) },
  { name: "for (;;) {}", class: "cpu", code: "for (;;) {}", expect: fails("step_budget", STEP_BUDGET) },
  { name: "do {} while (true)", class: "cpu", code: "do {} while (true);", expect: fails("step_budget", STEP_BUDGET) },
  {
    name: "a loop with a single-statement body",
    class: "cpu",
    code: "let i = 0;\nwhile (true) i++;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "for (;;) inside nested functions",
    class: "cpu",
    code: "function outer() { return inner(); }\nfunction inner() { for (;;) {} }\nouter();",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "catching the budget error inside the loop does not revive it",
    class: "cpu",
    code: "for (;;) { try { for (;;) {} } catch {} }",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "catching the budget error and returning still reports it",
    class: "cpu",
    code: "try { while (true) {} } catch (e) { return 'escaped: ' + e.message; }",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "labeled continue to an outer endless loop",
    class: "cpu",
    code: "outer: for (;;) { for (let i = 0; i < 10; i++) continue outer; }",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an endless generator drained by for-of",
    class: "cpu",
    code: "function* forever() { while (true) yield 1; }\nfor (const x of forever()) {}",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an endless loop in a getter",
    class: "cpu",
    code: "const o = { get x() { while (true) {} } };\nreturn o.x;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an endless loop in an array callback",
    class: "cpu",
    code: "[1, 2, 3].forEach(() => { for (;;) {} });",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an endless loop in a class static block",
    class: "cpu",
    code: "class A { static { while (true) {} } }\nreturn A;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an endless loop in a sort comparator",
    class: "cpu",
    code: "return [3, 1, 2].sort(() => { while (true) {} });",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an async spin: while (true) await null",
    class: "cpu",
    code: "while (true) await null;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an async spin on timers until the execution times out",
    class: "cpu",
    code: "await new Promise(() => { const tick = () => setTimeout(tick, 0); tick(); });",
    args: { timeout_ms: 700 },
    expect: fails("timeout", /timed out after 700 ms \(the timeout_ms you passed\)/),
  },
  {
    name: "a promise that never settles ends at once with a clear error",
    class: "cpu",
    code: "await new Promise(() => {});\nreturn 'unreachable';",
    expect: fails("runtime", /awaited a promise that can never settle/),
  },
  {
    name: "a never-settling promise with a live interval ends at its timeout",
    class: "cpu",
    code: "setInterval(() => {}, 5);\nawait new Promise(() => {});",
    args: { timeout_ms: 500 },
    expect: fails("timeout", /timed out after 500 ms/),
  },
  {
    name: "a catastrophic regex literal runs on the linear-time engine and ends",
    class: "cpu",
    code: "const s = 'a'.repeat(10_000) + 'b';\nreturn /^(a+)+$/.test(s);",
    expect: returns(false),
  },
  {
    name: "new RegExp with a catastrophic literal string runs on the linear-time engine",
    class: "cpu",
    code: "return new RegExp('(a|aa)+$').test('a'.repeat(10_000) + 'b');",
    expect: returns(false),
  },
  {
    name: "a catastrophic regex built at run time runs on the linear-time engine",
    class: "cpu",
    code: "const p = ['(a+)', '+$'].join('');\nreturn new RegExp(p).test('a'.repeat(10_000) + 'b');",
    expect: returns(false),
  },
  {
    name: "a catastrophic pattern passed as a string to match() runs on the linear-time engine",
    class: "cpu",
    code: "return ('a'.repeat(10_000) + '!').match(['(\\\\w+\\\\s?)*', '$'].join('')).index;",
    expect: returns(10_001),
  },
  {
    name: "a catastrophic pattern through a regex's own constructor runs on the linear-time engine",
    class: "cpu",
    code: "const R = /x/.constructor;\nreturn new R(['(x+x+)+', 'y'].join('')).test('x'.repeat(10_000));",
    expect: returns(false),
  },
  {
    name: "a catastrophic pattern through RegExp.prototype.compile runs on the linear-time engine",
    class: "cpu",
    code: "const r = /x/;\nr.compile(['(a*)', '*b'].join(''));\nreturn [r.test('a'.repeat(10_000)), r.source];",
    expect: returns([false, "(a*)*b"]),
  },
  {
    name: "safe regexes built at run time still work",
    class: "cpu",
    code: `const r = new RegExp("^" + "[a-z]+" + "@" + "[a-z]+\\\\.com$", "i");
return [r.test("Me@Example.com"), "a1b22".match("\\\\d+")[0], "x-y".split(new RegExp("-")), /\\d/ instanceof RegExp];`,
    expect: returns([true, "1", ["x", "y"], true]),
  },
  {
    name: "indexOf over a 4-billion-element sparse array is charged before it runs",
    class: "cpu",
    code: "return new Array(2 ** 32 - 1).indexOf(1);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "includes over an array-like of length 2^53 - 1 is refused",
    class: "cpu",
    code: "return Array.prototype.includes.call({ length: 2 ** 53 - 1 }, 1);",
    expect: fails("runtime", /array-like length 9007199254740991 is over 4294967295/),
  },
  // The isolate installs only the metered built-ins the code can reach (src/sandbox/metered-selection.ts): each of
  // these reaches indexOf or join without spelling its name, and is charged all the same.
  {
    name: "an array turned into a string (join, never named) is charged",
    class: "cpu",
    // Inside a function: a top-level array would be charged anyway, when the scope encodes what the program left.
    code: "function f() {\n  const a = new Array(2 ** 32 - 1);\n  return ('' + a).length + `${a}`.length;\n}\nreturn f();",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "indexOf reached by a computed name is charged",
    class: "cpu",
    code: "const k = 'index' + 'Of';\nreturn new Array(2 ** 32 - 1)[k](1);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "indexOf destructured by a computed key is charged",
    class: "cpu",
    code: "const k = 'index' + 'Of';\nconst { [k]: f } = Array.prototype;\nreturn f.call(new Array(2 ** 32 - 1), 1);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "indexOf reached through Reflect is charged",
    class: "cpu",
    code: "return Reflect.apply(Reflect.get(Array.prototype, 'index' + 'Of'), new Array(2 ** 32 - 1), [1]);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "indexOf reached through its property descriptor is charged",
    class: "cpu",
    code: "return Object.getOwnPropertyDescriptor(Array.prototype, 'index' + 'Of').value.call(new Array(2 ** 32 - 1), 1);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "indexOf made enumerable and taken from Object.values is charged",
    class: "cpu",
    code: `const k = 'index' + 'Of';
Object.defineProperty(Array.prototype, k, { enumerable: true });
const f = Object.values(Array.prototype).find((v) => v.name === k);
return f.call(new Array(2 ** 32 - 1), 1);`,
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "indexOf spelled with a unicode escape is charged",
    class: "cpu",
    code: "return new Array(2 ** 32 - 1).index\\u004Ff(1);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an array-like whose length getter lies is refused",
    class: "cpu",
    code: "let n = 0;\nconst o = { get length() { return n++ ? 2 ** 53 - 1 : 1; } };\nreturn Array.prototype.indexOf.call(o, 1);",
    expect: fails("runtime", /length is a getter are not supported/),
  },
  {
    name: "replaced Math, Object and String globals do not switch the guards off",
    class: "cpu",
    code: `Math.floor = () => 0;
Object = function () { return { length: 0 }; };
String = () => "";
if (new RegExp(["(a+)", "+$"].join("")).test("a".repeat(10_000) + "b")) return "matched";
return new Array(2 ** 32 - 1).indexOf(1);`,
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "metered array methods still work on typed arrays, strings and array-likes",
    class: "cpu",
    code: `const u = new Uint8Array([1, 2, 3]);
return [Array.prototype.join.call(u, "-"), [].slice.call(u), Array.prototype.indexOf.call("abc", "b"),
  Array.prototype.slice.call({ length: 2, 0: "a", 1: "b" }), u.map((x) => x + 1).join(",")];`,
    expect: returns(["1-2-3", [1, 2, 3], 1, ["a", "b"], "2,3,4"]),
  },
  {
    name: "an endless loop re-scanning a 1 MB string is charged per character",
    class: "cpu",
    code: "let s = 'x'.repeat(1e6) + 'y';\nwhile (s.includes('y')) s.replace('y', 'z');",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an endless loop over a 10 MB typed array is charged per element",
    class: "cpu",
    code: "const t = new Uint8Array(1e7);\nwhile (true) t.indexOf(1);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "an endless loop serializing a 1 MB object is charged per character",
    class: "cpu",
    code: "const big = { a: 'x'.repeat(1e6) };\nwhile (true) JSON.stringify(big);",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "Atomics.wait cannot block the isolate",
    class: "cpu",
    code: "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);",
    expect: all(fails("runtime", /Atomics\.wait cannot be called in this context/)),
  },
];
