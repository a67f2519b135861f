/** src/scope/scope-types.ts: the declared types of carried values, read from their stored encoding. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { carriedDeclarations, encodedValueType } from "../../../src/scope/scope-types";

test("reads JSON and tagged values as TypeScript types", () => {
  assert.equal(encodedValueType("[1,2]"), "number[]");
  assert.equal(encodedValueType('[1,"a"]'), "(number | string)[]");
  assert.equal(encodedValueType('{"a":1,"b-c":{"$cg":"date","v":0}}'), '{ a: number; "b-c": Date }');
  assert.equal(encodedValueType('{"$cg":"map","v":[["k",{"$cg":"set","v":[1]}]]}'), "Map<string, Set<number>>");
  assert.equal(encodedValueType('{"$cg":"obj","v":{"$cg":"x"}}'), "{ $cg: string }");
  assert.equal(encodedValueType('{"$cg":"typed","c":"Uint8Array","v":""}'), "Uint8Array");
  assert.equal(encodedValueType("not json"), "any");
});

test("deep and wide values fall back to any", () => {
  let deep = "1";
  for (let i = 0; i < 10; i++) deep = `[${deep}]`;
  assert.match(encodedValueType(deep), /any/);
  const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])));
  assert.equal(encodedValueType(wide), "Record<string, any>");
});

test("declares only the names carried in, functions and imports loosely", () => {
  const text = carriedDeclarations(
    {
      values: [
        { name: "xs", json: "[1]" },
        { name: "shadowed", json: "1" },
      ],
      declarations: [
        { name: "f", kind: "function", source: "function f() {}" },
        { name: "P", kind: "class", source: "class P {}" },
      ],
      imports: [{ local: "rf", imported: "read_file", source: "servers/workspace" }],
    },
    ["xs", "f", "P", "rf"],
  );
  assert.equal(
    text,
    "declare let xs: number[];\ndeclare function f(...args: any[]): any;\ndeclare let P: any;\ndeclare let rf: any;",
  );
});
