/**
 * The validators of tool schemas are cached per isolate (src/sandbox/validate-args.ts): bounded by count and by the
 * size of their schemas, least recently used evicted first, so a few huge schemas cannot hold the isolate's memory.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_CACHED_SCHEMA_CHARS, validateValue, validatorCacheUse } from "../../../src/sandbox/validate-args";

/** An object schema whose description makes its JSON about `chars` long, requiring a string `name`. */
const schemaOf = (chars: number) => ({
  type: "object",
  description: "d".repeat(chars),
  properties: { name: { type: "string" } },
  required: ["name"],
});

test("huge schemas are evicted by their size, not kept until 5,000 validators are", () => {
  const huge = schemaOf(Math.floor(MAX_CACHED_SCHEMA_CHARS / 3));
  for (let i = 0; i < 6; i++) {
    assert.match(validateValue(`huge\u0000${i}`, huge, {}) ?? "", /\/name: required property is missing/);
    assert.ok(validatorCacheUse().chars <= MAX_CACHED_SCHEMA_CHARS, `after ${i + 1}: ${validatorCacheUse().chars}`);
  }
  const use = validatorCacheUse();
  assert.ok(use.count <= 3, `at most 3 schemas of a third of the budget each: ${use.count}`);
  assert.equal(use.has("huge\u00005"), true, "the newest is kept");
  assert.equal(use.has("huge\u00000"), false, "the oldest went");
});

test("the least recently used validator goes first: one in use stays while huge ones come and go", () => {
  const small = schemaOf(10);
  assert.ok(validateValue("small-in-use", small, {}));
  const huge = schemaOf(Math.floor(MAX_CACHED_SCHEMA_CHARS / 3));
  for (let i = 0; i < 6; i++) {
    validateValue(`churn\u0000${i}`, huge, { name: "x" });
    // Used between each: it is never the least recently used.
    assert.equal(validateValue("small-in-use", small, { name: "ok" }), undefined);
  }
  assert.equal(validatorCacheUse().has("small-in-use"), true);
  assert.equal(validatorCacheUse().has("churn\u00000"), false);
});

test("a schema larger than the whole budget still validates, without being kept", () => {
  const giant = schemaOf(MAX_CACHED_SCHEMA_CHARS + 1);
  assert.match(validateValue("giant", giant, { name: 1 }) ?? "", /\/name: expected string, got number/);
  assert.equal(validatorCacheUse().has("giant"), false);
  assert.ok(validatorCacheUse().chars <= MAX_CACHED_SCHEMA_CHARS);
});
