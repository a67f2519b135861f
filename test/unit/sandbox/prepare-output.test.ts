/**
 * What prepareCode makes of a program: the module it produces (one sample documents the transform), the final
 * expression returned, every line kept on its line number, TypeScript syntax stripped, imports recorded.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GUARD, MODULES, prepare, prepared } from "./prepare-fixtures";

describe("prepareCode output", () => {
  it("produces exactly this module for a small sample (documents the transform)", () => {
    const code = [
      'import { read_file } from "servers/workspace";',
      "const n: number = 2;",
      "for (const f of ['a', 'b']) await read_file({ path: f });",
      "const double = (x: number) => x * n;",
      "return double(21);",
    ].join("\n");
    const result = prepare(code);
    assert.ok(result.ok);
    assert.equal(
      result.code,
      [
        `import { step as ${GUARD}, meter as ${GUARD}_meter } from "./runtime.js";` +
          'import { read_file } from "./servers/workspace.js";' +
          `export default async function __cg_main() {const ${GUARD}_m=${GUARD}_meter;`,
        "const n = 2;",
        `for (const f of ['a', 'b']) {if(++${GUARD}_m.n>${GUARD}_m.max)${GUARD}_m.over();await read_file({ path: f });}`,
        `const double = (x) => (${GUARD}(), x * n);`,
        "return double(21);",
        "}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(result.imports, [{ kind: "server", module: "workspace", names: ["read_file"] }]);
  });

  it("returns a final expression statement by putting `return ` in front of it on its line (documents the rule)", () => {
    const result = prepare("const a = 1;\na\n  + 1;");
    assert.ok(result.ok);
    assert.equal(result.code.split("\n").slice(1).join("\n"), "return a\n  + 1;\n}\n");
    assert.equal(prepared("const a = 1;\nif (a) return a;\na + 1;").split("\n")[2], "a + 1;");
  });

  it("keeps every original line on its line number", () => {
    const lines = [
      "// a comment on line 1",
      "import {",
      "  read_file,",
      "  write_file as wf,",
      '} from "servers/workspace";',
      "interface Entry {",
      "  name: string;",
      "  size: number;",
      "}",
      'import { state } from "gateway"; const marker1 = 1;',
      "enum Color {",
      "  Red,",
      "  Green,",
      "}",
      "function walk(e: Entry): string {",
      "  const marker2 = e.name;",
      "  return marker2;",
      "}",
      "type Pair<T> = [",
      "  T,",
      "  T,",
      "];",
      "const marker3 = walk({ name: 'x', size: 1 } as Entry);",
      "while (state) { const marker4 = 4; break; }",
      "class K { constructor(private readonly a: number,",
      "  public b: string) { const marker5 = 5; } }",
      "return marker3; // marker6",
    ];
    const out = prepared(lines.join("\n")).split("\n");
    for (let i = 0; i < lines.length; i++) {
      const marker = /marker\d/.exec(lines[i]!)?.[0];
      if (marker) assert.ok(out[i]!.includes(marker), `line ${i + 1} should contain ${marker}: ${out[i]}`);
    }
    assert.equal(out.length, lines.length + 2, "only the closing brace line and a final newline are added");
    assert.match(
      out[0]!,
      /^import \{ step as __cg_step_3f9a1c, meter as __cg_step_3f9a1c_meter \} from "\.\/runtime\.js";/,
    );
    assert.match(out[0]!, /import \{ read_file, write_file as wf \} from "\.\/servers\/workspace\.js";/);
    assert.match(out[0]!, /import \{ state \} from "\.\/gateway\.js";/);
    assert.match(
      out[0]!,
      /export default async function __cg_main\(\) \{const __cg_step_3f9a1c_m=__cg_step_3f9a1c_meter;\/\/ a comment on line 1$/,
    );
    for (const i of [1, 2, 3, 4]) assert.equal(out[i], "", `import line ${i + 1} is blanked`);
    assert.equal(out[9]!.trim(), "const marker1 = 1;");
  });

  it("runs TypeScript syntax through: types, interfaces, generics, as, satisfies, !, enums, parameter properties", () => {
    const out = prepared(
      [
        'import type { Whatever } from "gateway";',
        'import { progress, type Unused } from "gateway";',
        "interface Opts<T> { value: T; tags?: readonly string[] }",
        "type Id = string | number;",
        "enum Level { Low = 1, High }",
        "abstract class Base<T> { protected abstract get(): T; }",
        "class Box<T> extends Base<T> { constructor(private v: T) { super(); } get(): T { return this.v!; } }",
        "function first<T extends object>(xs: T[], o?: Opts<T>): T | undefined { return xs[0] as T; }",
        "const b = new Box<number>(Level.High);",
        "const cfg = { a: 1 } satisfies Record<string, number>;",
        "let id: Id = <string>'x';",
        "declare const external: unknown;",
        "progress(first<object>([{}]));",
        "return [b.get(), cfg.a, id];",
      ].join("\n"),
    );
    assert.doesNotMatch(out, /interface|Opts<|: T|satisfies|abstract|declare/);
    assert.match(out, /var Level; \(function \(Level\)/);
    assert.match(out, /this\.v = v;/);
    assert.match(out, /^import \{ step as \S+ \} from "\.\/runtime\.js";import \{ progress \} from "\.\/gateway\.js";/);
  });

  it("records imports: pinned and unpinned skills, namespace imports, merged duplicates", () => {
    const result = prepare(
      [
        'import { copy_tree } from "skills/copy_tree@2";',
        'import { copy_tree as latest } from "skills/copy_tree";',
        'import * as ws from "servers/workspace";',
        'import { read_file } from "servers/workspace";',
        'import { summarize } from "skills/summarize@1";',
        'import "gateway";',
        "return [copy_tree, latest, ws, read_file, summarize];",
      ].join("\n"),
    );
    assert.ok(result.ok);
    const header = result.code.split("\n")[0]!;
    assert.match(header, /import \{ copy_tree \} from "\.\/skills\/copy_tree@2\.js";/);
    assert.match(header, /import \{ copy_tree as latest \} from "\.\/skills\/copy_tree@3\.js";/);
    assert.match(header, /import \* as ws from "\.\/servers\/workspace\.js";/);
    assert.match(header, /import "\.\/gateway\.js";/);
    assert.deepEqual(result.imports, [
      { kind: "skill", module: "copy_tree", version: 2, names: ["copy_tree"] },
      { kind: "skill", module: "copy_tree", version: 3, names: ["copy_tree"] },
      { kind: "server", module: "workspace", names: [...MODULES.servers.workspace!] },
      { kind: "skill", module: "summarize", version: 1, names: ["summarize"] },
      { kind: "gateway", module: "gateway", names: [] },
    ]);
  });

  it("drops unknown import names used only as types, as TypeScript elides them", () => {
    const result = prepare(
      'import { read_file, FileInfo } from "servers/workspace";\nconst f: FileInfo = await read_file({});\nreturn f;',
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.match(result.code, /import \{ read_file \} from "\.\/servers\/workspace\.js";/);
    // Not imported at run time; named for the type check, which declares the tool a large server's FileInfo is of.
    assert.deepEqual(result.imports, [
      { kind: "server", module: "workspace", names: ["read_file"], types: ["FileInfo"] },
    ]);
  });

  it("turns a hashbang into a comment (it is no longer at offset 0)", () => {
    const out = prepared("#!/usr/bin/env node\nreturn 1;");
    assert.match(out.split("\n")[0]!, /\{\/\/\/usr\/bin\/env node$/);
  });
});
