/**
 * Preparation is linear in the code size: the largest hostile program (many declarations, thousands of unknown
 * imports of a large server) costs bounded work. Measured in work (comparisons, edit-distance cells), not wall time,
 * so the tests hold on a loaded machine; bench/prepare-worst-case.ts records the time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_REPORTED_PROBLEMS, type PrepareStats, prepareCode } from "../../../src/sandbox/prepare";
import { SUGGEST_BUDGET_CELLS } from "../../../src/sandbox/prepare-suggest";
import { MAX_TYPE_NAME_CHARS, MAX_TYPE_NAMES } from "../../../src/sandbox/prepare-type-imports";
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

describe("prepareCode error and import sizes", () => {
  const LONG = "Q".repeat(5_000);

  it("quotes a long import name, module specifier or local name by its start and length, never whole", () => {
    const messages = [
      `import { "${LONG}" as x } from "servers/workspace";\nx();`,
      `import { ${LONG} } from "servers/workspace";\n${LONG}();`,
      `import { a } from "servers/${LONG}";`,
      `import ${LONG} from "servers/workspace";`,
    ].map((code) => {
      const result = prepareCode({ code, modules: MODULES, guardName: GUARD });
      assert.ok(!result.ok);
      return result.error.message;
    });
    const cut = `${"Q".repeat(80)}… (5,000 characters)`;
    assert.ok(messages[0]!.startsWith(`"servers/workspace" has no export "${cut}". Its exports: `), messages[0]);
    assert.ok(messages[1]!.startsWith(`"servers/workspace" has no export "${cut}". Its exports: `), messages[1]);
    const module = `servers/${"Q".repeat(72)}… (5,008 characters)`;
    assert.ok(messages[2]!.startsWith(`Cannot import "${module}": no such module.`), messages[2]);
    assert.ok(messages[3]!.includes(`or import * as ${cut} from "servers/workspace".`), messages[3]);
    // The code frame shows the line too, cut: the message does not grow with the name.
    for (const message of messages) assert.ok(message.length < 2_000, `${message.length} characters`);
  });

  it("the listed problems of long names make an error no longer than those of short names, but for the cut names", () => {
    const program = (name: string) =>
      Array.from({ length: 30 }, (_, i) => `import { ${name}${i} } from "servers/workspace";\n${name}${i}();`).join(
        "\n",
      );
    const message = (code: string) => {
      const result = prepareCode({ code, modules: MODULES, guardName: GUARD });
      assert.ok(!result.ok);
      return result.error.message;
    };
    const short = message(program("Q"));
    const long = message(program(LONG));
    assert.ok(long.length < short.length + MAX_REPORTED_PROBLEMS * 2 * 200, `${long.length} vs ${short.length}`);
  });

  it("names imported as values but used only as types are kept to MAX_TYPE_NAMES, each cut to MAX_TYPE_NAME_CHARS", () => {
    const types = Array.from({ length: 1_000 }, (_, i) => `T${i}${"z".repeat(300)}`);
    const code = `import { tool_number_1_with_a_longish_name, ${types.join(", ")} } from "servers/workspace";\nlet v: ${types.join(" | ")};\nawait tool_number_1_with_a_longish_name({});`;
    const result = prepareCode({ code, modules: MODULES, guardName: GUARD });
    assert.ok(result.ok, !result.ok ? result.error.message.slice(0, 300) : "");
    const names = result.imports[0]!.types!;
    assert.equal(names.length, MAX_TYPE_NAMES);
    assert.ok(names.every((n) => n.length === MAX_TYPE_NAME_CHARS));
    assert.equal(names[0], `T0${"z".repeat(MAX_TYPE_NAME_CHARS - 2)}`);
  });
});
