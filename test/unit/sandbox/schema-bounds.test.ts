/**
 * The host's checks of arguments against schemas written by others (upstream servers, users' servers, the agent's
 * skills) stay bounded: src/sandbox/schema-bounds.ts measures what a schema's structure can apply to one value and
 * leaves out `format` and `uniqueItems`; src/sandbox/host-patterns.ts matches `pattern` and `patternProperties` in
 * bounded time; src/sandbox/validate-args.ts uses both. Each case here ran for minutes (or 2^40 steps) before.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withBoundedPatterns } from "../../../src/sandbox/host-patterns";
import { boundSchema, MAX_APPLICATIONS, MAX_SCHEMA_NODES } from "../../../src/sandbox/schema-bounds";
import { MAX_VALIDATION_WORK, validateValue } from "../../../src/sandbox/validate-args";
import { checkInputSchema } from "../../../src/skills/skill-check";

/** The native constructor, taken before any validation runs. */
const NATIVE_REGEXP = globalThis.RegExp;
let key = 0;
/** Validates with a fresh cache key, so every case compiles its own validator. */
const validate = (schema: unknown, value: unknown) =>
  validateValue(`bounds-test\u0000${key++}`, schema as never, value);
const stringProp = (extra: Record<string, unknown>) => ({
  type: "object",
  properties: { s: { type: "string", ...extra } },
  required: ["s"],
});

/** 40 definitions, each `anyOf` two references to the next: 2^40 applications to one value. */
function doublingDefs(kind: "anyOf" | "allOf", levels = 40): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++)
    defs[`a${i}`] = { [kind]: [{ $ref: `#/$defs/a${i + 1}` }, { $ref: `#/$defs/a${i + 1}` }] };
  defs[`a${levels}`] = { type: "string" };
  return defs;
}

const JSON_VALUE = {
  $defs: {
    J: {
      anyOf: [
        { type: "string" },
        { type: "number" },
        { type: "boolean" },
        { type: "null" },
        { type: "array", items: { $ref: "#/$defs/J" } },
        { type: "object", additionalProperties: { $ref: "#/$defs/J" } },
      ],
    },
  },
  type: "object",
  properties: { v: { $ref: "#/$defs/J" } },
};

describe("what a schema's structure can apply to one value", () => {
  test("references that multiply are refused with the reason; the validator then leaves the arguments to the upstream", () => {
    for (const kind of ["anyOf", "allOf"] as const) {
      const schema = { $defs: doublingDefs(kind), type: "object", properties: { x: { $ref: "#/$defs/a0" } } };
      const bounded = boundSchema(schema);
      assert.equal(bounded.ok, false);
      assert.match((bounded as { reason: string }).reason, new RegExp(`more than ${MAX_APPLICATIONS} subschemas`));
      assert.equal(validate(schema, { x: 1 }), undefined);
    }
  });

  test("growth through the value's levels counts too: allOf of two references to a schema that recurses per level", () => {
    const schema = {
      $defs: {
        T: { allOf: [{ $ref: "#/$defs/U" }, { $ref: "#/$defs/U" }] },
        U: { type: "object", properties: { x: { $ref: "#/$defs/T" } } },
      },
      $ref: "#/$defs/T",
    };
    assert.equal(boundSchema(schema).ok, false);
  });

  test("recursive schemas that descend as they recurse are measured, not refused", () => {
    const json = boundSchema(JSON_VALUE);
    assert.equal(json.ok, true);
    assert.ok((json as { applications: number }).applications <= 8);
    const tree = boundSchema({
      $defs: { T: { type: "object", properties: { l: { $ref: "#/$defs/T" }, r: { $ref: "#/$defs/T" } } } },
      $ref: "#/$defs/T",
    });
    assert.deepEqual(tree.ok && tree.applications, 2);
    assert.equal(validate(JSON_VALUE, { v: { a: [1, "x", null, { b: true }] } }), undefined);
    assert.match(validate(JSON_VALUE, { v: 1, w: 2 }) ?? "", /^$/); // extra properties are allowed
    assert.match(
      validate({ ...JSON_VALUE, properties: { v: { $ref: "#/$defs/J" }, n: { type: "number" } } }, { v: [], n: "1" }) ??
        "",
      /\/n: expected number, got string/,
    );
  });

  test("a schema applying itself to the same value, references it does not resolve, and oversized schemas get no check", () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ $defs: { A: { anyOf: [{ $ref: "#/$defs/A" }] } }, $ref: "#/$defs/A" }, /applies itself to the same value/],
      [{ properties: { a: { $ref: "https://example.com/s.json" } } }, /not a JSON pointer/],
      [{ properties: { a: { $ref: "#/$defs/missing" } } }, /points at nothing/],
      [{ properties: { a: { $id: "https://x/y", type: "string" } } }, /own \$id/],
      [{ $dynamicRef: "#meta" }, /\$dynamicRef/],
      [
        {
          type: "object",
          properties: Object.fromEntries(Array.from({ length: MAX_SCHEMA_NODES + 1 }, (_, i) => [`p${i}`, {}])),
        },
        /more than 10000 subschemas/,
      ],
    ];
    for (const [schema, reason] of cases) {
      const bounded = boundSchema(schema as never);
      assert.equal(bounded.ok, false, JSON.stringify(schema).slice(0, 80));
      assert.match((bounded as { reason: string }).reason, reason);
    }
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 100; i++) deep = { type: "object", properties: { a: deep } };
    assert.match((boundSchema(deep) as { reason: string }).reason, /nest deeper than 64 levels/);
  });

  test("format and uniqueItems are left out of the copy, the original is untouched, and the patterns are listed", () => {
    const schema = {
      type: "object",
      properties: {
        u: { type: "string", format: "uri", pattern: "^https?:" },
        a: { type: "array", uniqueItems: true },
      },
      patternProperties: { "^x-": { type: "string" } },
    };
    const before = JSON.stringify(schema);
    const bounded = boundSchema(schema);
    assert.equal(bounded.ok, true);
    if (!bounded.ok) return;
    assert.deepEqual(bounded.leftOut, ["format", "uniqueItems"]);
    assert.deepEqual(bounded.patterns, ["^https?:", "^x-"]);
    assert.equal(JSON.stringify(schema), before);
    assert.equal(JSON.stringify(bounded.schema).includes("uniqueItems"), false);
    // 200,000 items compared pairwise were 4 * 10^10 comparisons; the host now leaves them to the upstream.
    const many = Array.from({ length: 200_000 }, () => 7);
    assert.equal(
      validate({ type: "object", properties: { a: { type: "array", uniqueItems: true } } }, { a: many }),
      undefined,
    );
    // cfworker's URL format is a backtracking expression: 28 letters and an underscore ran for seconds.
    assert.equal(validate(stringProp({ format: "url" }), { s: `http://${"a".repeat(40)}_` }), undefined);
  });

  test("property names from outside stay data: __proto__ and constructor are checked as the properties they are", () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"number"},"constructor":{"type":"number"}},"required":["__proto__"]}',
    );
    const bounded = boundSchema(schema);
    assert.equal(bounded.ok, true);
    assert.ok(bounded.ok && Object.hasOwn((bounded.schema as any).properties, "__proto__"));
    assert.match(validate(schema, JSON.parse('{"__proto__": "x"}')) ?? "", /\/__proto__: expected number, got string/);
    assert.match(validate(schema, { constructor: 1 }) ?? "", /\/__proto__: required property is missing/);
    assert.equal(validate(schema, JSON.parse('{"__proto__": 2, "constructor": 3}')), undefined);
  });

  test("large arguments against a schema that applies many subschemas to each value are left to the upstream", () => {
    const variants = Array.from({ length: 20 }, (_, i) => ({ type: "object", properties: { k: { const: i } } }));
    const schema = { type: "object", properties: { a: { type: "array", items: { anyOf: variants } } } };
    const bounded = boundSchema(schema);
    assert.ok(bounded.ok && bounded.applications > 20);
    const small = Array.from({ length: 10 }, () => ({ k: 99 }));
    assert.match(validate(schema, { a: small }) ?? "", /invalid arguments/);
    const values = Math.ceil(MAX_VALIDATION_WORK / 21) + 10;
    assert.equal(validate(schema, { a: Array.from({ length: values }, () => 0) }), undefined);
  });
});

describe("patterns on the host", () => {
  test("a pattern V8 would backtrack on for minutes is matched in linear time, with the same answers", () => {
    const schema = stringProp({ pattern: "^(a+)+$" });
    assert.match(validate(schema, { s: `${"a".repeat(40)}!` }) ?? "", /\/s: String does not match pattern/);
    assert.equal(validate(schema, { s: "a".repeat(40) }), undefined);
    const keys = { type: "object", patternProperties: { "^(a+)+$": { type: "number" } }, additionalProperties: false };
    assert.match(validate(keys, { [`${"a".repeat(40)}!`]: 1 }) ?? "", /invalid arguments/);
    assert.equal(validate(keys, { aaaa: 1 }), undefined);
    assert.match(validate(keys, { aaaa: "1" }) ?? "", /invalid arguments/);
  });

  test("patterns answer as V8 does on strings where V8 is quick", () => {
    const patterns = ["^[a-z0-9_-]+$", "^https?://", "^\\d{4}-\\d{2}-\\d{2}$", "^[a-z]+(-[a-z]+)*$", "b", "^\\p{L}+$"];
    const texts = ["", "abc", "a-b", "a--b", "2026-12-06", "https://x", "ÄÖü", "B", "ab_c-9", "a\nb"];
    for (const pattern of patterns) {
      for (const text of texts) {
        const expected = new RegExp(pattern, "u").test(text);
        const got = validate(stringProp({ pattern }), { s: text }) === undefined;
        assert.equal(got, expected, `/${pattern}/u on ${JSON.stringify(text)}`);
      }
    }
  });

  test("matching past the budget counts as a match (the upstream judges), and the global RegExp is restored", () => {
    const text = `${"ab-".repeat(2_000_000)}!`;
    assert.equal(validate(stringProp({ pattern: "^([a-z]+-)*$" }), { s: text }), undefined);
    assert.equal(globalThis.RegExp, NATIVE_REGEXP);
    assert.throws(
      () =>
        withBoundedPatterns(() => {
          assert.notEqual(globalThis.RegExp, NATIVE_REGEXP);
          throw new Error("inside");
        }),
      /inside/,
    );
    assert.equal(globalThis.RegExp, NATIVE_REGEXP);
    assert.equal(Object.getPrototypeOf(/x/).constructor, globalThis.RegExp);
  });
});

describe("a skill's input schema is one the host can check", () => {
  test("save-time refusals name what to change", () => {
    const dag = checkInputSchema({
      $defs: doublingDefs("anyOf"),
      type: "object",
      properties: { x: { $ref: "#/$defs/a0" } },
    });
    assert.equal(dag.ok, false);
    assert.match((dag as { error: string }).error, /input_schema is too complex to check: .*fewer \$ref/);
    const refused = checkInputSchema({ type: "object", properties: { s: { type: "string", pattern: "(a|b)*\\1" } } });
    assert.equal(refused.ok, false);
    assert.match(
      (refused as { error: string }).error,
      /the pattern \/\(a\|b\)\*\\1\/ cannot be matched in bounded time: .*backreference/,
    );
    const invalid = checkInputSchema({ type: "object", properties: { s: { type: "string", pattern: "(" } } });
    assert.equal(invalid.ok, false);
    assert.match((invalid as { error: string }).error, /invalid pattern/);
    assert.equal(checkInputSchema(stringProp({ pattern: "^(a+)+$" })).ok, true);
    assert.equal(checkInputSchema(JSON_VALUE).ok, true);
  });
});
