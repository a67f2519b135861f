import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Validator } from "@cfworker/json-schema";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { Env } from "../../../src/env";
import type { JsonSchema } from "../../../src/registry/registry-types";
import { compileFastCheck } from "../../../src/sandbox/schema-fast-path";
import { validateValue } from "../../../src/sandbox/validate-args";
import { createWorkspaceServer } from "../../../src/servers/workspace/server";
import type { WorkspaceAccess } from "../../../src/servers/workspace/store";

/** The full validator as validate-args.ts builds it. */
function fullValid(schema: JsonSchema, value: unknown, draft: "7" | "2020-12" = "7"): boolean {
  return new Validator(schema as never, draft, false).validate(value).valid;
}

/** A tool's input schema as zod and the SDKs write them. */
const TOOL = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    path: { type: "string", minLength: 1, description: "where" },
    code: { type: "string", minLength: 2 },
    mode: { type: "string", enum: ["read", "write"], default: "read" },
    limit: { type: "integer", minimum: 1, maximum: 100 },
    ratio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
    tags: { type: "array", items: { type: "string", maxLength: 3 }, minItems: 1, maxItems: 3 },
    note: { anyOf: [{ type: "string" }, { type: "null" }] },
    nested: {
      type: "object",
      properties: { constructor: { type: "boolean" }, __proto__x: { const: 1 } },
      required: ["constructor"],
      additionalProperties: false,
    },
    extra: { type: "object", additionalProperties: { type: "number" } },
  },
  required: ["path"],
  additionalProperties: false,
} as const;

const VALUES: unknown[] = [
  { path: "/a" },
  { path: "" },
  { path: 1 },
  {},
  { path: "/a", mode: "write" },
  { path: "/a", mode: "append" },
  { path: "/a", limit: 100 },
  { path: "/a", limit: 101 },
  { path: "/a", limit: 1.5 },
  { path: "/a", limit: 0 },
  { path: "/a", ratio: 0.5 },
  { path: "/a", ratio: 0 },
  { path: "/a", ratio: 1 },
  { path: "/a", tags: ["ab", "c"] },
  { path: "/a", tags: [] },
  { path: "/a", tags: ["abcd"] },
  { path: "/a", code: "😀" },
  { path: "/a", code: "😀😀" },
  { path: "/a", code: "a😀" },
  { path: "/a", tags: ["😀😀😀"] },
  { path: "/a", tags: ["😀😀😀😀"] },
  { path: "/a", tags: ["a", "b", "c", "d"] },
  { path: "/a", tags: "ab" },
  { path: "/a", note: null },
  { path: "/a", note: "x" },
  { path: "/a", note: 3 },
  { path: "/a", nested: { constructor: true } },
  { path: "/a", nested: {} },
  { path: "/a", nested: { constructor: true, other: 1 } },
  { path: "/a", nested: { constructor: true, __proto__x: 1 } },
  { path: "/a", nested: { constructor: true, __proto__x: 2 } },
  { path: "/a", nested: [] },
  { path: "/a", extra: { a: 1, b: 2.5 } },
  { path: "/a", extra: { a: "1" } },
  { path: "/a", unknown: 1 },
  { path: "/a", hasOwnProperty: 1 },
  JSON.parse('{"path":"/a","constructor":1}'),
  null,
  [],
  "text",
];

describe("the fast path of argument validation (schema-fast-path.ts)", () => {
  it("accepts exactly what the full validator accepts, for a schema inside its rules", () => {
    const fast = compileFastCheck(TOOL as never);
    assert.ok(fast, "the typical tool schema gets a check");
    let accepted = 0;
    for (const value of VALUES) {
      const full = fullValid(TOOL as never, value);
      assert.equal(fast(value), full, JSON.stringify(value));
      if (full) accepted++;
    }
    // Both sides of the table are exercised.
    assert.ok(accepted >= 10 && accepted <= VALUES.length - 10, `${accepted} of ${VALUES.length} valid`);
  });

  it("checks the built-in workspace tools' schemas as the SDK lists them (the calls users make most)", async () => {
    const [a, b] = InMemoryTransport.createLinkedPair();
    await createWorkspaceServer({} as Env, "u", {} as WorkspaceAccess).connect(b);
    const client = new Client({ name: "t", version: "0" });
    await client.connect(a);
    const { tools } = await client.listTools();
    await client.close();
    assert.ok(tools.length >= 5);
    for (const tool of tools) {
      const schema = tool.inputSchema as JsonSchema;
      const fast = compileFastCheck(schema);
      assert.ok(fast, `${tool.name}: ${JSON.stringify(schema)}`);
      const draft = String((schema as { $schema?: string }).$schema ?? "").includes("2020-12") ? "2020-12" : "7";
      const props = Object.keys((schema as { properties: object }).properties);
      const valid = Object.fromEntries(props.map((p) => [p, "/x"]));
      for (const value of [valid, { ...valid, other: 1 }, {}, { ...valid, [props[0]!]: 1 }]) {
        assert.equal(fast(value), fullValid(schema, value, draft), `${tool.name} ${JSON.stringify(value)}`);
      }
      assert.equal(fast(valid), true, tool.name);
    }
  });

  it("gives no check for schemas outside its rules, so they go to the full validator alone", () => {
    const outside: JsonSchema[] = [
      false,
      { $ref: "#/definitions/a", definitions: { a: { type: "string" } } },
      { type: "string", pattern: "^a" },
      { type: "string", format: "uri" },
      { oneOf: [{ type: "string" }, { type: "number" }] },
      { not: { type: "string" } },
      // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here
      { if: { type: "string" }, then: { minLength: 1 } },
      { type: "array", items: [{ type: "string" }] },
      { type: "array", prefixItems: [{ type: "string" }] },
      { type: "number", exclusiveMinimum: true, minimum: 1 },
      { type: "object", patternProperties: { "^a": { type: "string" } } },
      { type: "object", unevaluatedProperties: false },
      { type: "object", propertyNames: { maxLength: 3 } },
      { type: "number", multipleOf: 0.1 },
      { type: "array", uniqueItems: true },
      { type: "array", contains: { type: "string" } },
      { type: "object", dependentRequired: { a: ["b"] } },
      { "x-vendor": 1 },
      { nullable: true, type: "string" },
      { type: "strings" },
      { type: [] },
      { enum: [{ a: 1 }] },
      { const: [1] },
      { required: "a" },
      { minLength: -1 },
      { maximum: "3" },
      { anyOf: [] },
      { properties: { a: { type: "string", format: "email" } } },
    ];
    for (const schema of outside) assert.equal(compileFastCheck(schema), null, JSON.stringify(schema));
    // Whatever goes wrong while compiling leaves the schema to the full validator; it never turns validation off.
    const throwing = Object.defineProperty({}, "type", {
      enumerable: true,
      get() {
        throw new Error("unreadable");
      },
    });
    assert.equal(compileFastCheck(throwing), null);
  });

  it("gives no check for schemas nested past its depth or larger than its size", () => {
    let deep: JsonSchema = { type: "string" };
    for (let i = 0; i < 40; i++) deep = { type: "object", properties: { a: deep } };
    assert.equal(compileFastCheck(deep), null);
    const wide = {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 2_500 }, (_, i) => [`p${i}`, {}])),
    };
    assert.equal(compileFastCheck(wide), null);
    let ok: JsonSchema = { type: "string" };
    for (let i = 0; i < 20; i++) ok = { type: "object", properties: { a: ok } };
    assert.ok(compileFastCheck(ok));
  });

  it("never accepts a value the full validator refuses, over random schemas and values of its rules", () => {
    let seed = 17;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const NAMES = ["a", "b", "constructor", "__proto__", "toString", "0"];
    const TYPES = ["string", "number", "integer", "boolean", "null", "object", "array"];
    function schema(depth: number): Record<string, unknown> {
      const s: Record<string, unknown> = {};
      if (random() < 0.7) s.type = random() < 0.8 ? pick(TYPES) : [pick(TYPES), pick(TYPES)];
      if (depth < 3 && random() < 0.4) {
        s.properties = Object.fromEntries(NAMES.filter(() => random() < 0.4).map((n) => [n, schema(depth + 1)]));
        if (random() < 0.5) s.required = NAMES.filter(() => random() < 0.3);
        if (random() < 0.5) s.additionalProperties = random() < 0.5 ? false : schema(depth + 1);
      }
      if (depth < 3 && random() < 0.3) s.items = schema(depth + 1);
      if (random() < 0.2) s.enum = [pick(["x", "y", 1, 2.5, true, null])];
      if (random() < 0.1) s.const = pick(["x", 1, false, null]);
      if (random() < 0.2)
        s[pick(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"])] = Math.floor(
          random() * 3,
        );
      if (random() < 0.2)
        s[pick(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"])] = pick([-1, 0, 1.5, 2]);
      if (depth < 2 && random() < 0.15) s[pick(["anyOf", "allOf"])] = [schema(depth + 1), schema(depth + 1)];
      if (random() < 0.1) s.description = "annotation";
      return s;
    }
    function value(depth: number): unknown {
      const r = random();
      if (depth > 3 || r < 0.45) return pick(["", "x", "😀", "ab", 0, 1, -1, 1.5, 2, true, false, null]);
      if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (const n of NAMES)
        if (random() < 0.35)
          Object.defineProperty(o, n, {
            value: value(depth + 1),
            enumerable: true,
            configurable: true,
            writable: true,
          });
      return o;
    }
    let checked = 0;
    let acceptedFast = 0;
    let acceptedFull = 0;
    for (let i = 0; i < 3_000; i++) {
      const s = schema(0);
      const fast = compileFastCheck(s);
      assert.ok(fast, JSON.stringify(s));
      for (let j = 0; j < 10; j++) {
        const v = value(0);
        const full = fullValid(s, v);
        const quick = fast(v);
        if (quick && !full)
          assert.fail(`accepted what the full validator refuses: ${JSON.stringify(s)} ${JSON.stringify(v)}`);
        assert.equal(quick, full, `${JSON.stringify(s)} ${JSON.stringify(v)}`);
        checked++;
        if (quick) acceptedFast++;
        if (full) acceptedFull++;
      }
    }
    assert.equal(checked, 30_000);
    assert.equal(acceptedFast, acceptedFull);
    assert.ok(acceptedFull > 2_000 && acceptedFull < 28_000, `${acceptedFull} of ${checked} valid`);
  });

  it("leaves the messages of invalid arguments to the full validator", () => {
    const key = `test\u0000${Math.random()}`;
    assert.equal(validateValue(key, TOOL as never, { path: "/a" }), undefined);
    assert.equal(
      validateValue(key, TOOL as never, { path: 1 }),
      "invalid arguments: /path: expected string, got number",
    );
    assert.match(validateValue(key, TOOL as never, {}) ?? "", /\/path: required property is missing/);
    assert.match(validateValue(key, TOOL as never, { path: "/a", unknown: 1 }) ?? "", /invalid arguments/);
  });
});
