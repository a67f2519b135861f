/**
 * Host-side text matching on outside input stays linear: the skill export check (agent code) and host
 * classification (URLs from upstream redirects) used regexes that backtracked cubically and quadratically.
 * Inputs are sized so the old code took seconds (a synchronous regex cannot be interrupted, so a larger one would
 * hang the run) while the linear code takes well under a millisecond; the limits leave a wide margin either way.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyHost } from "../../src/registry/ssrf";
import { prepareCode } from "../../src/sandbox/prepare";

/** Milliseconds `run` takes. */
function elapsed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

test("a skill whose 'function' is followed by 1,500 spaces is refused at once (the export regex was cubic: ~5 s)", () => {
  const ms = elapsed(() => {
    const r = prepareCode({
      code: `export async function${" ".repeat(1_500)}x`,
      modules: { servers: {}, gateway: [], skills: {} },
      guardName: "__cg_step_test",
      skill: "s",
    });
    assert.equal(r.ok, false);
  });
  assert.ok(ms < 1_000, `${ms} ms`);
});

test("a host with 40,000 dots inside is classified at once (was quadratic: ~5 s)", () => {
  const ms = elapsed(() => assert.equal(typeof classifyHost(`a${".".repeat(40_000)}b`).kind, "string"));
  assert.ok(ms < 1_000, `${ms} ms`);
});
