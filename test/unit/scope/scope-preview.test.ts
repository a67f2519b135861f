/**
 * get_context's previews (src/scope/scope-preview.ts): values as the program sees them, one short line, and a
 * bounded amount of work for values of megabytes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { preview, valuePreview } from "../../../src/scope/scope-preview";
import { encodedType } from "../../../src/scope/scope-store";

test("a small value is shown as the program sees it, not in the store's encoding", () => {
  assert.equal(valuePreview('{"$cg":"date","v":5}'), "Date(1970-01-01T00:00:00.005Z)");
  assert.equal(valuePreview('{"$cg":"map","v":[["k",{"$cg":"big","v":"1"}]]}'), 'Map(1) { "k" => 1n }');
  assert.equal(valuePreview('{"a":[1,2]}'), '{"a":[1,2]}');
});

test("a value over 64 KiB encoded is previewed from its text without being parsed, cut to one line", () => {
  const big = JSON.stringify({ $cg: "map", v: Array.from({ length: 20_000 }, (_, i) => [i, i]) });
  assert.ok(big.length > 64 * 1024);
  const shown = valuePreview(big);
  assert.ok(shown.startsWith('{"$cg":"map"'), shown);
  assert.equal(shown.length, 120);
  assert.ok(shown.endsWith("…"));
});

test("a text preview reads only the head, and still marks what it left out", () => {
  assert.equal(preview("a  b\n c"), "a b c");
  const spaced = `${" ".repeat(2_000)}tail`;
  assert.equal(preview(spaced), " …");
  assert.equal(preview("x".repeat(10_000_000)).length, 120);
});

test("the type of a value over 64 KiB encoded is read from its head, never parsed", () => {
  // Each of these is cut short (not valid JSON): a parse would throw, so an answer proves the head was enough.
  const tail = "x".repeat(70_000);
  assert.equal(encodedType(`{"$cg":"map","v":[${tail}`), "Map");
  assert.equal(encodedType(`{"$cg":"set","v":[${tail}`), "Set");
  assert.equal(encodedType(`{"$cg":"typed","c":"Uint8Array","v":"${tail}`), "Uint8Array");
  assert.equal(encodedType(`[${tail}`), "Array");
  assert.equal(encodedType(`"${tail}`), "string");
  assert.equal(encodedType(`{"a":"${tail}`), "object");
  assert.equal(encodedType(`{"$cg":"obj","v":{"$cg":"${tail}`), "object");
  // Below the limit the value is parsed, and counts are shown.
  assert.equal(encodedType('{"$cg":"map","v":[[1,2]]}'), "Map(1)");
  assert.equal(encodedType("[1,2,3]"), "Array(3)");
});
