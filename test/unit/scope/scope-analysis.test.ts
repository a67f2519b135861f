/** src/scope/scope-analysis.ts: the top-level bindings a context carries forward. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "acorn";
import { boundNames, topLevelScope } from "../../../src/scope/scope-analysis";

const scopeOf = (code: string) =>
  topLevelScope(
    parse(code, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
    }),
    code,
  );

test("reads const, let and var names, through every destructuring form, in source order", () => {
  const scope = scopeOf("const a = 1; let { b, c: [d, ...e], f = 2, ...g } = x; var [h = 1, , { i }] = y;");
  assert.deepEqual(scope.values, ["a", "b", "d", "e", "f", "g", "h", "i"]);
});

test("keeps function and class declarations as their source and first line, and ignores nested ones", () => {
  const code =
    "function double(n) { return n * 2; }\nasync function* gen() {}\nclass P { x = 1 }\nif (1) { function inner() {} const no = 1; }";
  const scope = scopeOf(code);
  assert.deepEqual(scope.declarations, [
    { name: "double", kind: "function", source: "function double(n) { return n * 2; }", line: 1 },
    { name: "gen", kind: "function", source: "async function* gen() {}", line: 2 },
    { name: "P", kind: "class", source: "class P { x = 1 }", line: 3 },
  ]);
  assert.deepEqual(scope.values, []);
});

test("reads imports with their imported names", () => {
  const scope = scopeOf(
    'import { read_file as rf, write_file } from "servers/workspace"; import * as gw from "gateway";',
  );
  assert.deepEqual(scope.imports, [
    { local: "rf", imported: "read_file", source: "servers/workspace" },
    { local: "write_file", imported: "write_file", source: "servers/workspace" },
    { local: "gw", imported: "*", source: "gateway" },
  ]);
  assert.deepEqual([...boundNames(scope)], ["rf", "write_file", "gw"]);
});

test("a deeply nested pattern does not overflow the stack", () => {
  const depth = 5000;
  const code = `const ${"[".repeat(depth)}z${"]".repeat(depth)} = v;`;
  let program: ReturnType<typeof parse>;
  try {
    program = parse(code, { ecmaVersion: "latest", sourceType: "module" });
  } catch {
    return; // the parser itself refused it: nothing for the analysis to do
  }
  assert.deepEqual(topLevelScope(program, code).values, ["z"]);
});
