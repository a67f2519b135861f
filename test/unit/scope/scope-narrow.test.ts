/**
 * Which carried values a program starts with (src/scope/scope-prepare.ts narrowScope through prepareCode): only the
 * ones its code, or the carried code appended to it, names; the others stay stored untouched.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { prepareCode } from "../../../src/sandbox/prepare";
import type { CarriedScope } from "../../../src/scope/scope-store";

const modules = {
  servers: Object.create(null),
  unavailable: new Map(),
  gateway: ["state", "progress"],
  skills: Object.create(null),
};
const carried: CarriedScope = {
  values: [
    { name: "notes", json: "[1,2,3]" },
    { name: "count", json: "0" },
    { name: "unused", json: '"x"' },
  ],
  declarations: [{ name: "bump", kind: "function", source: "function bump() { count++; return count; }" }],
  imports: [],
};

function scopeOf(code: string) {
  const prepared = prepareCode({ code, modules: modules as never, guardName: "__cg_step_test", carried });
  assert.ok(prepared.ok, prepared.ok ? "" : prepared.error.message);
  return prepared.scope!;
}

test("a program that names no carried binding starts with none of them, and captures only its own", () => {
  const scope = scopeOf("const mine = 1;\nreturn 42;");
  assert.deepEqual(scope.carriedIn, []);
  assert.deepEqual(scope.captured, ["mine"]);
});

test("a program that names a carried function gets it and the values it names", () => {
  const scope = scopeOf("return bump();");
  assert.deepEqual(scope.carriedIn.sort(), ["bump", "count"]);
  assert.deepEqual(scope.captured, ["count"]);
});

test("a value named anywhere in the code is carried in: nested, in a property shorthand, in a type only", () => {
  assert.ok(scopeOf("return (() => ({ notes }))();").carriedIn.includes("notes"));
  assert.ok(scopeOf("let copy: typeof notes = [];\nreturn copy;").carriedIn.includes("notes"));
  assert.ok(!scopeOf("return 'notes are kept';").carriedIn.includes("unused"));
});

test("a program that declares a carried name again replaces it, as before", () => {
  const scope = scopeOf("const notes = [];\nreturn notes.length;");
  assert.ok(!scope.carriedIn.includes("notes"));
  assert.ok(scope.captured.includes("notes"));
});

test("a value named only through a unicode escape in a type is carried in (the check needs its declaration)", () => {
  assert.ok(scopeOf("let copy: typeof \\u006eotes = [];\nreturn copy;").carriedIn.includes("notes"));
});
