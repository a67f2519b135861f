/**
 * The text rendering's JSON (src/shared/pretty-json.ts): indented like `JSON.stringify(value, null, 2)` unless that
 * would be much larger than the data, which deep nesting made 200 times larger (a 200 KB result, 39.5 MB of text).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { indentation, prettyJson } from "../../../src/shared/pretty-json";

/** A random JSON value (a tree, as parsed JSON is). */
function randomValue(depth: number, next: () => number): unknown {
  const r = next();
  if (depth > 5 || r < 0.35) {
    const k = Math.floor(next() * 5);
    return [null, true, 12.5, "text", ""][k];
  }
  const n = Math.floor(next() * 4);
  if (r < 0.65) return Array.from({ length: n }, () => randomValue(depth + 1, next));
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, randomValue(depth + 1, next)]));
}

test("the indentation is counted exactly, without building it", () => {
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 2_000; i++) {
    const value = randomValue(0, next);
    const added = JSON.stringify(value, null, 2).length - JSON.stringify(value).length;
    assert.equal(indentation(value), added, JSON.stringify(value));
    assert.equal(prettyJson(value), JSON.stringify(value, null, 2));
  }
});

test("deep or indentation-heavy values fall back to compact JSON; ordinary ones stay indented", () => {
  let deep: unknown = new Array(100_000).fill(0);
  for (let i = 0; i < 195; i++) deep = [deep];
  const compact = JSON.stringify(deep);
  assert.equal(prettyJson(deep), compact);
  let shared: unknown = [1];
  for (let i = 0; i < 12; i++) shared = [shared, shared];
  const tree = JSON.parse(JSON.stringify(shared));
  assert.equal(prettyJson(tree), JSON.stringify(tree));
  const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ["a", "b"] }));
  assert.equal(prettyJson(rows), JSON.stringify(rows, null, 2));
  assert.equal(prettyJson({ a: 1 }), '{\n  "a": 1\n}');
  assert.equal(prettyJson(undefined), "undefined");
});
