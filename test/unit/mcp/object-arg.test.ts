/**
 * The path a refused `__proto__` key is named by (src/mcp/object-arg.ts): the MCP server writes it after the
 * argument's name, so it must be short whatever the caller sent: long keys cut, a deep path shown by both ends.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { protoKeyPath } from "../../../src/mcp/object-arg";

test("names the path of a __proto__ key, long keys cut and a deep path by both ends", () => {
  assert.deepEqual(protoKeyPath(JSON.parse('{"__proto__": 1}')), []);
  assert.deepEqual(protoKeyPath(JSON.parse('{"opts": {"list": [1, {"__proto__": 1}]}}')), ["opts", "list", 1]);
  assert.equal(protoKeyPath({ a: [{ b: 1 }] }), undefined);
  const long = "k".repeat(10_000);
  assert.deepEqual(protoKeyPath(JSON.parse(`{"${long}": {"__proto__": 1}}`)), [`${"k".repeat(40)}…`]);
  let deep = '{"__proto__": 1}';
  for (let i = 0; i < 5_000; i++) deep = `[${deep}]`;
  const path = protoKeyPath(JSON.parse(deep))!;
  assert.deepEqual(path, [...Array(10).fill(0), "…", ...Array(10).fill(0)]);
});
