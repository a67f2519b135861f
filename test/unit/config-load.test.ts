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

test("output caps have upper bounds that keep an execution's answer inside workerd's 32 MiB, each named when passed", () => {
  const over: Array<[string, number, RegExp]> = [
    ["max_result_bytes", 2 * 1024 * 1024 + 1, /<=2097152[\s\S]*limits\.max_result_bytes/],
    ["max_log_bytes", 1024 * 1024 + 1, /<=1048576[\s\S]*limits\.max_log_bytes/],
    ["max_log_lines", 100_001, /<=100000[\s\S]*limits\.max_log_lines/],
    ["max_tool_result_bytes", 16 * 1024 * 1024 + 1, /<=16777216[\s\S]*limits\.max_tool_result_bytes/],
    ["cpu_ms", 300_001, /<=300000[\s\S]*limits\.cpu_ms/],
  ];
  for (const [key, value, message] of over) {
    const r = loadConfig({ limits: { [key]: value } });
    assert.equal(r.ok, false, key);
    assert.match(r.ok ? "" : r.error, message);
    const atMost = loadConfig({ limits: { [key]: value - 1 } });
    assert.ok(atMost.ok, `${key} at its bound is accepted`);
  }
});
