import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "acorn";
import { bindingModuleSource } from "../../../src/codegen/bindings";
import { stringLiteral } from "../../../src/codegen/literal";

describe("bindingModuleSource", () => {
  it("imports call and exports one forwarding function per tool", () => {
    assert.equal(
      bindingModuleSource("Workspace", [
        { id: "read_file", name: "read_file" },
        { id: "get_env", name: "get-env" },
      ]),
      `import { call } from "../runtime.js";
export const read_file = (args) => call("Workspace", "read_file", args);
export const get_env = (args) => call("Workspace", "get-env", args);
`,
    );
  });

  it("embeds hostile server and tool names as exact string literals", () => {
    const server = 'srv"); globalThis.x = 1; ("\u2028';
    const name = "tool\u2029\u202e\ud800`$" + "{x}`\\";
    const source = bindingModuleSource(server, [{ id: "t", name }]);
    assert.ok(!/[\u2028\u2029\u202e]/.test(source));
    const program = parse(source, { ecmaVersion: "latest", sourceType: "module" });
    assert.equal(program.body.length, 2);
    const literals: unknown[] = [];
    JSON.stringify(program, (key, value) => {
      if (key === "value" && typeof value === "string") literals.push(value);
      return value;
    });
    assert.deepEqual(literals, ["../runtime.js", server, name]);
  });

  it("throws on an id that is not a safe identifier", () => {
    for (const id of ["a-b", "1x", "class", "then", "call", "x; alert(1)", ""]) {
      assert.throws(() => bindingModuleSource("s", [{ id, name: "n" }]), /not a safe identifier/, id);
    }
  });

  it("throws on a duplicate id", () => {
    assert.throws(
      () =>
        bindingModuleSource("s", [
          { id: "a", name: "a" },
          { id: "a", name: "b" },
        ]),
      /appears twice/,
    );
  });

  it("emits only the import for a server without tools", () => {
    assert.equal(bindingModuleSource("s", []), 'import { call } from "../runtime.js";\n');
  });
});

describe("stringLiteral", () => {
  it("escapes controls, line separators, bidi, zero-width, tag characters and lone surrogates", () => {
    assert.equal(
      stringLiteral("a\u0000\u2028\u202e\u200b\u{e0041}\ud800😀"),
      '"a\\u0000\\u2028\\u202e\\u200b\\udb40\\udc41\\ud800😀"',
    );
  });

  it("round-trips through JSON.parse", () => {
    const value = "\u0085\u2029\ufeff\udfff\u{e0100}x";
    assert.equal(JSON.parse(stringLiteral(value)), value);
  });
});
