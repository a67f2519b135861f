/**
 * Type-level blow-ups aimed at the type checker (src/typecheck): recursion and exponential unions evaluated at
 * compile time. The checker runs on a thread other isolates share locally, so none may cost it seconds: programs
 * with conditional types run unchecked (with a warning), and the compiler's own limits end the rest quickly. The
 * corpus gateway checks with policy "warn", so each program still runs and returns its value.
 */
import assert from "node:assert/strict";
import type { Execution, Sample } from "./sample";

const N30 = `[${Array(30).fill(0).join(", ")}]`;
/** Six interpolated digit positions of a template literal type: 10^6 members. */
const SIX_DIGITS = Array(6)
  .fill("$" + "{D}")
  .join("");

/** Ran, returned `value`, and carries a warning matching `pattern`. */
const runsWithWarning =
  (value: unknown, pattern: RegExp) =>
  (r: Execution): void => {
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, value);
    const warnings = (r as Execution & { warnings?: Array<{ message: string }> }).warnings ?? [];
    assert.ok(
      warnings.some((w) => pattern.test(w.message)),
      `warnings: ${JSON.stringify(warnings)}`,
    );
  };

const UNCHECKED = /not type-checked: the program declares conditional types/;

export const typeSamples: Sample[] = [
  {
    name: "types: a tail-recursive conditional type 5,000 deep runs unchecked",
    class: "cpu",
    code: 'type Rec<T, N extends unknown[] = []> = N["length"] extends 5000 ? T : Rec<[T], [...N, 0]>;\nconst x: Rec<string> = null as any;\nreturn 1;',
    expect: runsWithWarning(1, UNCHECKED),
  },
  {
    name: "types: an exponential union of conditional types runs unchecked",
    class: "cpu",
    code: `type Exp<T, N extends unknown[]> = N extends [unknown, ...infer R] ? Exp<{ a: T }, R> | Exp<[T, T], R> : T;\nconst x: Exp<string, ${N30}> = null as any;\nreturn 2;`,
    expect: runsWithWarning(2, UNCHECKED),
  },
  {
    name: "types: a conditional type hidden in a generic function's return type runs unchecked",
    class: "cpu",
    code: 'function f<T>(x: T): T extends string ? [T] : never { return x as any; }\nreturn f("a");',
    expect: runsWithWarning("a", UNCHECKED),
  },
  {
    name: "types: a template literal cross product stops at the compiler's union limit",
    class: "cpu",
    code: `type D = "0"|"1"|"2"|"3"|"4"|"5"|"6"|"7"|"8"|"9";\ntype S = \`${SIX_DIGITS}\`;\nconst s: S = "123456";\nreturn s;`,
    expect: runsWithWarning("123456", /too complex to represent/),
  },
  {
    name: "types: a 2^40 structure of nested aliases is compared lazily",
    class: "cpu",
    code: `${Array.from({ length: 40 }, (_, i) => `type A${i + 1} = { l: A${i}; r: A${i} }; type B${i + 1} = { l: B${i}; r: B${i} };`).join("\n")}\ntype A0 = { v: string }; type B0 = { v: number };\nconst a = {} as A40;\nconst b: B40 = a;\nreturn 5;`,
    expect: runsWithWarning(5, /is not assignable to type 'B40'/),
  },
];
