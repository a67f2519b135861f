/**
 * The text rendering's JSON (src/shared/pretty-json.ts): what fits on a line stays on one line, arrays of plain
 * values are packed, the rest is indented by two spaces; compact when the indented form would be much larger than the
 * data, which deep nesting made 200 times larger (a 200 KB result, 39.5 MB of text).
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
  }
});

test("the text is the same value, never longer than the indented form, in lines of at most 100 characters", () => {
  let seed = 11;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 2_000; i++) {
    const value = randomValue(0, next);
    const text = prettyJson(value);
    assert.deepEqual(JSON.parse(text), value);
    assert.ok(text.length <= JSON.stringify(value, null, 2).length, text);
    for (const line of text.split("\n")) assert.ok(line.length <= 100, line);
  }
});

test("small values stay on one line; plain arrays are packed; records go one per line", () => {
  assert.equal(prettyJson({ a: 1, b: [1, "x"], c: {} }), '{"a": 1, "b": [1, "x"], "c": {}}');
  const ones = prettyJson(new Array(2_000).fill(1));
  assert.ok(ones.length < 6_200, `${ones.length} characters`);
  assert.match(ones, /^\[\n {2}1, 1, 1,/);
  const rows = Array.from({ length: 3 }, (_, i) => ({ id: i, tags: ["a"] }));
  assert.equal(prettyJson(rows), '[{"id": 0, "tags": ["a"]}, {"id": 1, "tags": ["a"]}, {"id": 2, "tags": ["a"]}]');
  const long = Array.from({ length: 3 }, (_, i) => ({ id: i, name: "n".repeat(40), tags: ["a", "b"] }));
  assert.equal(prettyJson(long).split("\n").length, 5);
  assert.equal(prettyJson({ note: "x".repeat(120) }), `{\n  "note": "${"x".repeat(120)}"\n}`);
});

test("deep or indentation-heavy values fall back to compact JSON; ordinary ones are written readably", () => {
  let deep: unknown = new Array(100_000).fill(0);
  for (let i = 0; i < 195; i++) deep = [deep];
  const compact = JSON.stringify(deep);
  assert.equal(prettyJson(deep), compact);
  let shared: unknown = [1];
  for (let i = 0; i < 12; i++) shared = [shared, shared];
  const tree = JSON.parse(JSON.stringify(shared));
  assert.equal(prettyJson(tree), JSON.stringify(tree));
  const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ["a", "b"] }));
  assert.equal(prettyJson(rows).split("\n").length, 502);
  assert.equal(prettyJson(undefined), "undefined");
});
