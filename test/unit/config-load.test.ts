/**
 * Reading `GATEWAY_CONFIG` (src/config.ts loadConfig): objects and text are parsed once per value, since every
 * execution reads the configuration; a changed value is parsed anew, and bad text says why.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config";

test("the same configuration text is parsed once; different text is parsed anew", () => {
  const text = JSON.stringify({ limits: { max_tool_calls: 7 } });
  const first = loadConfig(text);
  assert.ok(first.ok);
  assert.equal(first.config.limits.max_tool_calls, 7);
  assert.equal(loadConfig(`${text}`), first, "the same text gives the same parsed configuration");
  const other = loadConfig(JSON.stringify({ limits: { max_tool_calls: 9 } }));
  assert.ok(other.ok);
  assert.equal(other.config.limits.max_tool_calls, 9);
  const bad = loadConfig("{ not json");
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? "" : bad.error, /GATEWAY_CONFIG is not valid JSON/);
  assert.equal(loadConfig("{ not json"), bad);
});

test("the same configuration object is parsed once", () => {
  const raw = { limits: { max_tool_calls: 11 } };
  assert.equal(loadConfig(raw), loadConfig(raw));
});
