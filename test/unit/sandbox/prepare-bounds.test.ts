/**
 * Preparation is linear in the code size: the largest hostile program (many declarations, thousands of unknown
 * imports of a large server) costs bounded work. Measured in work (comparisons, edit-distance cells), not wall time,
 * so the tests hold on a loaded machine; bench/prepare-worst-case.ts records the time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_REPORTED_PROBLEMS, type PrepareStats, prepareCode } from "../../../src/sandbox/prepare";
import { SUGGEST_BUDGET_CELLS } from "../../../src/sandbox/prepare-suggest";
import { GUARD } from "./prepare-fixtures";

const EXPORTS = Array.from({ length: 2_000 }, (_, i) => `tool_number_${i}_with_a_longish_name`);
const MODULES = { servers: { workspace: EXPORTS }, gateway: ["state", "progress"], skills: {} };

/** 240 KB: `unknown` imports that do not exist, then constant declarations up to the size. */
function hostileProgram(unknown: number): string {
  const names = Array.from({ length: unknown }, (_, i) => `unknown_name_${i}_abcdefgh`);
  let code = unknown > 0 ? `import { ${names.join(", ")} } from "servers/workspace";\n` : "";
  for (let i = 0; code.length < 240_000; i++) code += `const x${i} = ${i};\n`;
  return code;
}

/** Elements Array.prototype.indexOf / includes scanned while `run` ran (acorn's scope tracking used them). */
function arrayScans(run: () => void): number {
  const { indexOf, includes } = Array.prototype;
  let scanned = 0;
  Array.prototype.indexOf = function (this: unknown[], ...args: [unknown, number?]) {
    scanned += this.length;
    return indexOf.apply(this, args);
  };
  Array.prototype.includes = function (this: unknown[], ...args: [unknown, number?]) {
    scanned += this.length;
    return includes.apply(this, args);
  };
  try {
    run();
  } finally {
    Array.prototype.indexOf = indexOf;
    Array.prototype.includes = includes;
  }
  return scanned;
}

describe("prepareCode work bounds", () => {
  it("8,000 unknown imports of a 2,000-tool server spend at most the suggestion budget and scan the code twice", () => {
    const stats: PrepareStats = { suggestCells: 0, wordScans: 0 };
    const result = prepareCode({ code: hostileProgram(8_000), modules: MODULES, guardName: GUARD }, stats);
    assert.equal(result.ok, false);
    assert.ok(stats.suggestCells > 0, "the first problems still get suggestions");
    assert.ok(stats.suggestCells <= SUGGEST_BUDGET_CELLS, `${stats.suggestCells} cells`);
    assert.ok(stats.wordScans <= 2, `${stats.wordScans} scans`);
  });

  it("lists the first import problems and counts the rest", () => {
    const result = prepareCode({ code: hostileProgram(8_000), modules: MODULES, guardName: GUARD });
    assert.ok(!result.ok);
    assert.equal(result.error.message.match(/\n- line \d+: /g)?.length, MAX_REPORTED_PROBLEMS - 1);
    assert.match(result.error.message, /\n- … and 7980 more import problems \(fix these first\)$/);
    assert.match(result.error.message, /^"servers\/workspace" has no export "unknown_name_0_abcdefgh"\. Did you mean/);
  });

  it("24,000 declarations in one scope scan arrays in linear total", () => {
    const code = hostileProgram(0);
    const declarations = code.split("\n").length;
    const scanned = arrayScans(() => {
      const result = prepareCode({ code, modules: MODULES, guardName: GUARD });
      assert.ok(result.ok);
    });
    assert.ok(scanned <= 4 * declarations, `${scanned} elements scanned for ${declarations} declarations`);
  });

  it("an import name of 100,000 characters costs no more suggestion work than a short one", () => {
    const stats: PrepareStats = { suggestCells: 0, wordScans: 0 };
    const name = "x".repeat(100_000);
    const result = prepareCode(
      { code: `import { ${name} } from "servers/workspace";\n${name}();`, modules: MODULES, guardName: GUARD },
      stats,
    );
    assert.equal(result.ok, false);
    assert.ok(stats.suggestCells <= 65 * (2_000 * 65 + 16 * 2_000), `${stats.suggestCells} cells`);
  });
});
