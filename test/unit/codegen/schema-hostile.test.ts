import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemaToType, schemaToTypes } from "../../../src/codegen/schema-to-ts";

type Schema = Record<string, unknown>;

/** A schema nested `depth` levels through `wrap`, built with a loop (recursion would be the test's own bug). */
function nested(depth: number, wrap: (child: Schema) => Schema): Schema {
  let node: Schema = { type: "string" };
  for (let i = 0; i < depth; i++) node = wrap(node);
  return node;
}

describe("schemaToType: hostile schemas", () => {
  it("stops 100,000 levels of nested properties at the depth cap", () => {
    const schema = nested(100_000, (child) => ({ type: "object", properties: { a: child } }));
    const result = schemaToTypes(schema, { compact: true });
    assert.equal(result.type, `${"{ a?: ".repeat(9)}unknown${" }".repeat(9)}`);
    assert.equal(result.truncated, true);
  });

  it("stops 100,000 levels of nested items, anyOf and allOf without throwing", () => {
    assert.equal(schemaToType(nested(100_000, (items) => ({ type: "array", items }))), `unknown${"[]".repeat(9)}`);
    assert.equal(schemaToType(nested(100_000, (child) => ({ anyOf: [child, { type: "null" }] }))), "unknown");
    assert.equal(schemaToType(nested(100_000, (child) => ({ allOf: [child] }))), "unknown");
  });

  it("honours a smaller maxDepth", () => {
    const schema = nested(10, (child) => ({ type: "object", properties: { a: child } }));
    assert.equal(schemaToType(schema, { compact: true, maxDepth: 1 }), "{ a?: { a?: unknown } }");
  });

  it("terminates on cyclic JS objects", () => {
    const cyclic: Schema = { type: "object", properties: {} };
    (cyclic.properties as Schema).self = cyclic;
    cyclic.additionalProperties = cyclic;
    cyclic.anyOf = [cyclic, cyclic];
    assert.equal(schemaToType(cyclic, { compact: true }), "{ self?: unknown; [key: string]: unknown }");
  });

  it("terminates on a cycle through $defs objects and refs", () => {
    const defs: Schema = {};
    const a: Schema = { type: "object", properties: { b: { $ref: "#/$defs/B" } } };
    const b: Schema = { type: "array", items: a, prefixItems: [{ $ref: "#/$defs/A" }] };
    Object.assign(defs, { A: a, B: b });
    const schema = { $defs: defs, $ref: "#/$defs/A" };
    assert.equal(schemaToType(schema, { compact: true }), "{ b?: [unknown?, ...unknown[]] }");
    assert.deepEqual(schemaToTypes(schema, { namePrefix: "X", compact: true }).definitions, [
      { name: "XB", type: "[XA?, ...{ b?: XB }[]]", isObject: false, doc: [] },
      { name: "XA", type: "{ b?: XB }", isObject: true, doc: [] },
    ]);
  });

  it("widens a 1,000,000-value enum to its base type", () => {
    const schema = { enum: Array.from({ length: 1_000_000 }, (_, i) => `value-${i}`) };
    assert.equal(schemaToType(schema), "string");
    const mixed = { enum: [...Array.from({ length: 100_000 }, (_, i) => i), "x", null] };
    assert.equal(schemaToType(mixed), "number | string | null");
  });

  it("keeps a wide object within the size cap, widened by an index signature", () => {
    const properties: Schema = {};
    for (let i = 0; i < 200_000; i++) properties[`k${i}`] = { type: "string" };
    const result = schemaToTypes({ type: "object", properties }, { compact: true, maxLength: 300 });
    assert.ok(result.type.length <= 320, `length ${result.type.length}`);
    assert.ok(result.type.endsWith("[key: string]: unknown }"));
    assert.equal(result.truncated, true);
  });

  it("keeps a wide and deep shared subschema within the default size cap quickly", () => {
    let level: Schema = { type: "string", description: "d".repeat(500) };
    for (let depth = 0; depth < 8; depth++) {
      const properties: Schema = {};
      for (let i = 0; i < 1000; i++) properties[`p${i}`] = level;
      level = { type: "object", properties };
    }
    const started = performance.now();
    const result = schemaToTypes(level);
    assert.ok(performance.now() - started < 1000);
    assert.ok(result.type.length <= 21_000, `length ${result.type.length}`);
  });

  it("bounds a chain of 100,000 named definitions by the size cap", () => {
    const $defs: Schema = {};
    for (let i = 0; i < 100_000; i++) {
      $defs[`D${i}`] = { type: "object", properties: { next: { $ref: `#/$defs/D${i + 1}` } } };
    }
    const result = schemaToTypes({ $defs, type: "object", properties: { head: { $ref: "#/$defs/D0" } } });
    const total = result.definitions.reduce((sum, d) => sum + d.name.length + d.type.length, result.type.length);
    assert.ok(total <= 21_000, `total ${total}`);
    assert.equal(result.truncated, true);
  });

  it("reads only own properties of hostile keys", () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"}},"required":["__proto__","toString"]}',
    );
    assert.equal(schemaToType(schema, { compact: true }), "{ __proto__: string; toString: unknown }");
  });

  it("treats malformed keyword values as absent", () => {
    const schema = { type: 5, properties: [1], required: "x", enum: "no", anyOf: {}, items: 3 };
    assert.equal(schemaToType(schema as unknown as Schema), "{}");
    assert.equal(schemaToType(null as unknown as Schema), "unknown");
    assert.equal(schemaToType("string" as unknown as Schema), "unknown");
  });

  it("quotes hostile property names so they cannot break out of the type", () => {
    const schema = { type: "object", properties: { "a\n}; declare const x: 1; //": { type: "string" } } };
    assert.equal(schemaToType(schema, { compact: true }), '{ "a\\n}; declare const x: 1; //"?: string }');
  });
});
