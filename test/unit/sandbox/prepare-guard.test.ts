/**
 * The step guard prepareCode inserts: a guard call at the start of every function and static block, a step on the
 * meter in every loop body (aliased only where loops are), never an added line.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GUARD, guardCensus, prepared } from "./prepare-fixtures";

describe("prepareCode step guard", () => {
  it("guards every loop form, function form and static block", () => {
    const code = [
      "for (let i = 0; i < 1; i++) {}",
      "for (let i = 0; i < 1; i++) i;",
      "for (const k in {}) ;",
      "for (const v of []) v;",
      "for await (const v of []) { v; }",
      "while (false) x;",
      "while (false) {}",
      "do x; while (false)",
      "do {} while (false);",
      "outer: for (;;) inner: for (;;) break outer;",
      "function decl() {}",
      "async function asyncDecl() { await 1; }",
      "function* gen() { yield 1; }",
      "async function* agen() { yield 1; }",
      "const fe = function () {};",
      "const named = function inner() { return inner; };",
      "const arrowBlock = () => {};",
      "const arrowExpr = (a) => a + 1;",
      "const arrowObj = () => ({ a: 1 });",
      "const curried = (a) => (b) => (c) => a + b + c;",
      "const asyncArrow = async (x) => await x;",
      "const obj = { m() {}, get g() { return 1; }, set s(v) {}, async am() {}, *gm() {}, f: function () {}, a: () => 1 };",
      "class A { constructor() {} m() {} static sm() {} get g() { return 1; } set s(v) {} #p() {} field = () => 1; static { this.x = 1; } static /* { */ { } }",
      "class B extends A { constructor() { super(); } }",
      "[1].map((v) => v * 2).forEach(function (v) { return v; });",
      "return 0;",
    ].join("\n");
    const census = guardCensus(prepared(code));
    assert.equal(census.loops, 11);
    assert.equal(census.functions, 30);
    assert.equal(census.staticBlocks, 2);
    assert.equal(
      census.calls,
      30 + 2,
      "no guard calls outside function and static-block starts (loops count on the meter)",
    );
  });

  it("aliases the step meter in exactly the functions and static blocks that have loops of their own", () => {
    const code = [
      "function noLoop() { return 1; }",
      "function outer() { const inner = () => { while (false) {} }; return inner; }",
      "function both() { for (;;) break; return () => { do {} while (false); }; }",
      "class S { static { for (const x of []) x; } m() { label: for (;;) { for (;;) continue label; } } }",
      "const expr = (xs) => xs.map((x) => { for (const y of x) y; });",
      "return noLoop();",
    ].join("\n");
    const out = prepared(code);
    const census = guardCensus(out);
    assert.equal(census.loops, 7);
    const alias = `const ${GUARD}_m=${GUARD}_meter;`;
    const lines = out.split("\n");
    // No top-level loop: the wrapper does not alias; the header imports the meter for the functions that do.
    assert.match(lines[0]!, new RegExp(`^import \\{ step as ${GUARD}, meter as ${GUARD}_meter \\}`));
    assert.ok(!lines[0]!.includes(alias));
    assert.ok(!lines[0]!.includes("if(++"), "noLoop has no alias");
    assert.equal(lines[1]!.split(alias).length - 1, 1, "outer has none, its arrow has one");
    assert.ok(lines[1]!.includes(`const inner = () => {${GUARD}();${alias}`));
    assert.equal(lines[2]!.split(alias).length - 1, 2, "both and its arrow each have one");
    assert.equal(lines[3]!.split(alias).length - 1, 2, "the static block and the method");
    assert.equal(lines[4]!.split(alias).length - 1, 1, "only the innermost arrow");
    assert.ok(!prepared("return 1;").includes("meter"), "no loop anywhere: no meter import");
  });

  it("guards TypeScript-only function forms after stripping", () => {
    const census = guardCensus(
      prepared(
        "class P { constructor(private a: number) { } method<T>(x: T): T { return x; } }\nconst g = <T,>(x: T): T => x;",
      ),
    );
    assert.equal(census.functions, 3);
  });

  it("never adds a line when wrapping single-statement bodies", () => {
    const code = "while (a)\n  b();\nfor (;;)\n  c();\nconst f = (x) =>\n  x;";
    const out = prepared(code);
    assert.equal(out.split("\n").length, code.split("\n").length + 2);
    guardCensus(out);
  });
});
