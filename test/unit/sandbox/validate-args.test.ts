/**
 * The messages of the host's argument check (src/sandbox/validate-args.ts): what the model reads when a tool or a
 * skill refuses its arguments, so each names the fault and the fix rather than the validator's internals.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SUGGEST_BUDGET_CELLS, SuggestBudget } from "../../../src/sandbox/prepare-suggest";
import { validateValue } from "../../../src/sandbox/validate-args";
import { closestAllowed, MAX_ENUM_EXAMINED } from "../../../src/sandbox/value-mismatch";

let key = 0;
const validate = (schema: unknown, value: unknown) =>
  validateValue(`validate-args-test\u0000${key++}`, schema as never, value);

const COPY_TREE = {
  type: "object",
  properties: { from: { type: "string" }, to: { type: "string" }, overwrite: { type: "boolean" } },
  required: ["from", "to"],
  additionalProperties: false,
};

describe("unknown properties", () => {
  test("name the property, the allowed ones and the closest of them", () => {
    assert.equal(
      validate(COPY_TREE, { from: "/", to: "/backup", overwrit: true }),
      'invalid arguments: /overwrit: unknown property "overwrit" (allowed: from, to, overwrite; did you mean "overwrite"?)',
    );
  });

  test("suggest nothing when no allowed name is close", () => {
    assert.equal(
      validate(COPY_TREE, { from: "/", to: "/b", zzz: 1 }),
      'invalid arguments: /zzz: unknown property "zzz" (allowed: from, to, overwrite)',
    );
  });

  test("a nested object, reached through a local $ref, lists its own properties", () => {
    const schema = {
      type: "object",
      properties: { opts: { $ref: "#/$defs/Opts" } },
      $defs: { Opts: { type: "object", properties: { depth: { type: "number" } }, additionalProperties: false } },
    };
    assert.equal(
      validate(schema, { opts: { dept: 2 } }),
      'invalid arguments: /opts/dept: unknown property "dept" (allowed: depth; did you mean "depth"?)',
    );
  });

  test("the allowed list is cut after 20 names, and a long unknown name is cut in the quote", () => {
    const properties = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, { type: "number" }]));
    const long = "x".repeat(100);
    const message = validate({ type: "object", properties, additionalProperties: false }, { [long]: 1 }) ?? "";
    assert.ok(message.includes(`unknown property "${"x".repeat(64)}…" (allowed: p0, p1,`), message);
    assert.ok(message.endsWith("p19, … and 5 more)"), message);
  });

  test("names that are Object.prototype keys are ordinary names, in the arguments and in the schema", () => {
    const schema = { type: "object", properties: { constructor: { type: "string" } }, additionalProperties: false };
    assert.equal(
      validate(schema, JSON.parse('{"__proto__": 1, "toString": 2}')),
      'invalid arguments: /__proto__: unknown property "__proto__" (allowed: constructor); /toString: unknown property "toString" (allowed: constructor)',
    );
  });

  test("a schema of false for a declared property says no value is allowed", () => {
    assert.equal(
      validate({ type: "object", properties: { legacy: false } }, { legacy: 1 }),
      "invalid arguments: /legacy: no value is allowed here (the schema is false)",
    );
  });
});

describe("patterns", () => {
  test("a string that does not match names the pattern, read from the schema through a $ref, cut when long", () => {
    const schema = {
      type: "object",
      properties: { slug: { type: "string", pattern: "^[a-z]+(-[a-z]+)*$" }, id: { $ref: "#/$defs/Id" } },
      $defs: { Id: { type: "string", pattern: "^\\d{4}$" } },
    };
    assert.equal(
      validate(schema, { slug: "Not A Slug", id: "12" }),
      'invalid arguments: /slug: String does not match pattern "^[a-z]+(-[a-z]+)*$".; /id: String does not match pattern "^\\\\d{4}$".',
    );
    const long = `^(${"a".repeat(500)})$`;
    const message =
      validate({ type: "object", properties: { s: { type: "string", pattern: long } } }, { s: "b" }) ?? "";
    assert.equal(message, `invalid arguments: /s: String does not match pattern "^(${"a".repeat(118)}…".`);
  });
});

describe("enum and const", () => {
  test("a small enum is listed whole, read from the schema through a $ref", () => {
    const schema = {
      type: "object",
      properties: { mode: { enum: ["fast", "slow"] }, level: { $ref: "#/$defs/Level" } },
      $defs: { Level: { enum: [1, 2, 3] } },
    };
    assert.equal(
      validate(schema, { mode: "medium", level: 4 }),
      'invalid arguments: /mode: value is not one of the allowed values: "fast", "slow"; /level: value is not one of the allowed values: 1, 2, 3',
    );
  });

  test("a huge enum lists its first 10 values, each cut, and counts the rest", () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i === 0 ? "x".repeat(500) : `v${i}`));
    const message = validate({ type: "object", properties: { pick: { enum: values } } }, { pick: "nope" }) ?? "";
    assert.equal(
      message,
      `invalid arguments: /pick: value is not one of the allowed values: "${"x".repeat(59)}…, "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", … and 9,990 more`,
    );
  });

  test("a const names the value, cut when long", () => {
    assert.equal(
      validate({ type: "object", properties: { kind: { const: "file" } } }, { kind: "dir" }),
      'invalid arguments: /kind: value must be "file"',
    );
    const message =
      validate({ type: "object", properties: { blob: { const: { text: "y".repeat(5_000) } } } }, { blob: {} }) ?? "";
    assert.equal(message, `invalid arguments: /blob: value must be {"text":"${"y".repeat(51)}…`);
  });
});

describe("enum did-you-mean", () => {
  const ORDER = { type: "object", properties: { order: { type: "string", enum: ["ascending", "descending"] } } };

  test("the same value but for case is named outright", () => {
    assert.equal(
      validate(ORDER, { order: "Descending" }),
      'invalid arguments: /order: value is not one of the allowed values: "ascending", "descending" (did you mean "descending"?)',
    );
  });

  test("a misspelt value names the closest allowed one; a value close to none names nothing", () => {
    assert.equal(
      validate(ORDER, { order: "decending" }),
      'invalid arguments: /order: value is not one of the allowed values: "ascending", "descending" (did you mean "descending"?)',
    );
    assert.equal(
      validate(ORDER, { order: "random" }),
      'invalid arguments: /order: value is not one of the allowed values: "ascending", "descending"',
    );
  });

  test('the same text of another type is named as its type is written: 2 for "2", "2" for 2', () => {
    const schema = {
      type: "object",
      properties: { level: { enum: [1, 2, 3] }, code: { enum: ["1", "2"] }, flag: { enum: [true, false] } },
    };
    assert.equal(
      validate(schema, { level: "2", code: 2, flag: "TRUE" }),
      "invalid arguments: /level: value is not one of the allowed values: 1, 2, 3 (did you mean 2?); " +
        '/code: value is not one of the allowed values: "1", "2" (did you mean "2"?); ' +
        "/flag: value is not one of the allowed values: true, false (did you mean true?)",
    );
  });

  test("a value past the listed ten is still suggested, nested in arrays and through a $ref", () => {
    const values = Array.from({ length: 50 }, (_, i) => `region-${i}`).concat("eu-west-1");
    const schema = {
      type: "object",
      properties: { targets: { type: "array", items: { $ref: "#/$defs/Region" } } },
      $defs: { Region: { enum: values } },
    };
    const message = validate(schema, { targets: ["region-1", "eu-wset-1"] }) ?? "";
    assert.ok(message.includes('; /targets/1: value is not one of the allowed values: "region-0",'), message);
    assert.ok(message.endsWith('… and 41 more (did you mean "eu-west-1"?)'), message);
  });

  test("names that are Object.prototype keys are data: a property __proto__ or constructor holds the value", () => {
    const schema = { type: "object", properties: { constructor: { enum: ["alpha", "beta"] } } };
    assert.equal(
      validate(schema, JSON.parse('{"constructor": "Alpha"}')),
      'invalid arguments: /constructor: value is not one of the allowed values: "alpha", "beta" (did you mean "alpha"?)',
    );
  });

  test("bounded: only the first 1,000 allowed values are examined, and huge values are compared by their start", () => {
    const values = Array.from({ length: 5_000 }, (_, i) => `v${i}`).concat("needle");
    const far = validate({ type: "object", properties: { pick: { enum: values } } }, { pick: "NEEDLE" }) ?? "";
    assert.ok(far.endsWith("… and 4,991 more"), far);
    assert.deepEqual(closestAllowed("NEEDLE", values, new SuggestBudget()), []);
    assert.deepEqual(closestAllowed("NEEDLE", values.slice(-MAX_ENUM_EXAMINED), new SuggestBudget()), ["needle"]);
    // Flat strings, as JSON.parse makes them: 1,000 allowed values of 100,000 characters and a value as long.
    const huge: string[] = JSON.parse(
      JSON.stringify(Array.from({ length: 1_000 }, (_, i) => `${i}${"q".repeat(1e5)}`)),
    );
    const budget = new SuggestBudget();
    const started = performance.now();
    // Compared by their first 64 characters: 1,000 of them with a value as long is over the budget, so no guess.
    assert.equal(closestAllowed(`${"q".repeat(1e5)}x`, huge, budget).length, 0);
    assert.equal(budget.spent, 0);
    const near = closestAllowed("Q".repeat(40), huge, budget) as string[];
    assert.deepEqual(
      near.map((s) => s.slice(0, 4)),
      ["0qqq", "100q"],
    );
    assert.ok(performance.now() - started < 1_000, "bounded work");
    assert.ok(budget.spent <= SUGGEST_BUDGET_CELLS, `${budget.spent} cells`);
  });

  test("one budget across many refused calls: an execution's suggestions stop once it is spent", () => {
    // What LiveExecution passes validateArgs for all its calls: thousands of refusals must not each search afresh.
    const values = Array.from({ length: 1_000 }, (_, i) => `value_${i}_${"x".repeat(40)}`);
    const schema = { type: "object", properties: { pick: { enum: values } } };
    const shared = new SuggestBudget();
    const messages: string[] = [];
    for (let i = 0; i < 200; i++) {
      messages.push(validateValue("validate-args-test-shared", schema as never, { pick: `valeu_${i}` }, shared) ?? "");
    }
    assert.match(messages[0]!, /did you mean "value_/);
    assert.ok(!messages.at(-1)!.includes("did you mean"), messages.at(-1));
    assert.ok(messages.every((m) => m.includes("value is not one of the allowed values")));
    assert.ok(shared.spent <= SUGGEST_BUDGET_CELLS, `${shared.spent} cells`);
  });
});
