/**
 * prepareCode's syntax errors, at the line and column of the agent's own code (through the TypeScript strip): bad
 * syntax, await outside async, the gateway's reserved __cg names, nesting and size past the bounds; and a guard
 * name outside the reserved prefix, refused as the host's bug.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_CODE_BYTES, prepareCode } from "../../../src/sandbox/prepare";
import { failure, MODULES, prepare } from "./prepare-fixtures";

describe("prepareCode errors", () => {
  it("reports a JavaScript syntax error at the original line and column, with the line", () => {
    const error = failure("const a = 1;\nconst b = (a + ;\nreturn b;");
    assert.equal(error.kind, "syntax");
    assert.equal(error.line, 2);
    assert.equal(error.column, 16);
    assert.match(error.message, /Unexpected token ";"/);
    assert.match(error.message, /2 \| const b = \(a \+ ;\n {2}\| {16}\^/);
  });

  it("reports a TypeScript syntax error (found by sucrase) in original coordinates", () => {
    const error = failure("type T = { a: string };\nlet v: T = { a: 'x' };\nlet w: T = ;");
    assert.equal(error.kind, "syntax");
    assert.deepEqual([error.line, error.column], [3, 12]);
  });

  it("maps errors found after type stripping (by acorn) back to the original column", () => {
    // Sucrase accepts the redeclaration; acorn rejects it at `y` in the stripped code, where columns differ.
    const error = failure("const x: number = 1;\nconst y: Array<number> = [], z: string = '', y: number = 2;");
    assert.equal(error.kind, "syntax");
    assert.match(error.message, /'y' has already been declared/);
    assert.deepEqual([error.line, error.column], [2, 46]);
    assert.match(error.message, /\n {2}\| {46}\^$/);
  });

  it("reports await inside a non-async function", () => {
    const error = failure("function f() {\n  await g();\n}");
    assert.equal(error.kind, "syntax");
    assert.equal(error.line, 2);
  });

  it("rejects identifiers starting with __cg, wherever they appear", () => {
    for (const [code, line, column] of [
      ["const __cg_step_3f9a1c = () => {};", 1, 7],
      ["let ok = 1;\nok = __cgX;", 2, 6],
      ["const o = { __cg: 1 };", 1, 13],
      ["function f(__cgArg) {}", 1, 12],
      ["__cg_label: for (;;) {}", 1, 1],
      ["const s: string = 'x';\nconst t: number = 1, __cgT = 2;", 2, 22],
      ['import { read_file as __cg_step_3f9a1c } from "servers/workspace";', 1, 23],
      ['import * as __cgWs from "servers/workspace";', 1, 13],
    ] as const) {
      const error = failure(code);
      assert.equal(error.kind, "reserved", code);
      assert.deepEqual([error.line, error.column], [line, column], code);
    }
    assert.ok(
      prepare("const s = '__cg_step_3f9a1c'; const o = { a__cg: 1 };").ok,
      "strings and inner matches are fine",
    );
  });

  it("gives a clean error for 100,000-deep nesting and oversized code", () => {
    for (const code of [
      `return ${"(".repeat(100_000)}1${")".repeat(100_000)};`,
      `return ${"[".repeat(100_000)}${"]".repeat(100_000)};`,
      `return ${"1+".repeat(100_000)}1;`,
      `let x: ${"Array<".repeat(100_000)}number${">".repeat(100_000)};`,
    ]) {
      const error = failure(code);
      assert.equal(error.kind, "syntax");
      assert.match(error.message, /nested too deeply/);
    }
    const big = failure(`return "${"x".repeat(2 * 1024 * 1024)}";`);
    assert.equal(big.kind, "syntax");
    assert.match(big.message, new RegExp(`limit is ${MAX_CODE_BYTES} bytes`));
    assert.match(failure(`return "${"€".repeat(400_000)}";`).message, /bytes; the limit/, "counted in UTF-8 bytes");
  });

  it("refuses a guard name outside the reserved prefix (a host bug)", () => {
    assert.throws(() => prepareCode({ code: "", modules: MODULES, guardName: "step" }), TypeError);
    assert.throws(() => prepareCode({ code: "", modules: MODULES, guardName: "__cg_main" }), TypeError);
  });
});
