/**
 * What a program imports for its types only (src/sandbox/prepare-type-imports.ts): the modules and the names, from
 * `import type`, inline `type` specifiers and members of a type-only namespace, read from sucrase's tokens, bounded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CatalogTool } from "../../../src/registry/registry-types";
import { MAX_TYPE_NAME_CHARS, MAX_TYPE_NAMES, typeImports } from "../../../src/sandbox/prepare-type-imports";
import { toolsNamedByTypes } from "../../../src/typecheck/type-named-tools";

describe("typeImports", () => {
  it("reads import type, inline type specifiers and type-only namespace members, by module", () => {
    const code = [
      'import type { ReadFileInput, WriteFileOutput as W } from "servers/big";',
      'import { read_file, type ListDirInput, type as t2 } from "servers/big";',
      'import type * as Other from "servers/other";',
      'import { plain } from "servers/third";',
      "const a: Other.StatInput = { path: Other.x };",
      'const m = import.meta; const d = import("x");',
      'import type Default from "gateway";',
    ].join("\n");
    assert.deepEqual(typeImports(code), [
      { source: "servers/big", names: ["ReadFileInput", "WriteFileOutput", "ListDirInput"] },
      { source: "servers/other", names: ["StatInput", "x"] },
      { source: "gateway", names: [] },
    ]);
  });

  it("reads nothing from code without type imports, or that does not parse", () => {
    assert.deepEqual(typeImports('import { read_file } from "servers/big";\nconst type = 1;'), []);
    assert.deepEqual(typeImports("import type { A } from"), []);
  });

  it("keeps at most MAX_TYPE_NAMES names, however many a program imports", () => {
    const names = Array.from({ length: MAX_TYPE_NAMES + 100 }, (_, i) => `T${i}Input`);
    const [big] = typeImports(`import type { ${names.join(", ")} } from "servers/big";`);
    assert.equal(big!.names.length, MAX_TYPE_NAMES);
  });

  it("keeps a long name's first MAX_TYPE_NAME_CHARS characters, all the type check matches", () => {
    const long = `Stat${"x".repeat(100_000)}`;
    const [big] = typeImports(`import type { ${long} } from "servers/big";`);
    assert.deepEqual(big!.names, [long.slice(0, MAX_TYPE_NAME_CHARS)]);
  });
});

describe("toolsNamedByTypes", () => {
  const tool = (id: string) => ({ id }) as CatalogTool;
  const tools = [tool("read_file"), tool("readFile"), tool("read"), tool("write_file"), tool("stat")];

  it("names the tools whose type name starts a name, every tool of a shared type name", () => {
    assert.deepEqual([...toolsNamedByTypes(tools, ["WriteFileInput"])], ["write_file"]);
    // read_file and readFile share ReadFile (the module numbers them ReadFile and ReadFile2); Read starts it too.
    assert.deepEqual([...toolsNamedByTypes(tools, ["ReadFile2Output"])].sort(), ["read", "readFile", "read_file"]);
    assert.deepEqual([...toolsNamedByTypes(tools, ["NoSuchInput", ""])], []);
  });

  it("looks a long name up by its first 200 characters only", () => {
    const long = `Stat${"x".repeat(100_000)}`;
    assert.deepEqual([...toolsNamedByTypes(tools, [long])], ["stat"]);
  });
});
