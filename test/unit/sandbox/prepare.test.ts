import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentLocation, MAX_CODE_BYTES, prepareCode } from "../../../src/sandbox/prepare";
import { stripTypes } from "../../../src/sandbox/prepare-strip";
import { GUARD, guardCensus, MODULES, prepare, prepared } from "./prepare-fixtures";

/** Asserts failure and returns the error. */
function failure(code: string) {
  const result = prepare(code);
  if (result.ok) throw new Error(`expected an error, got:\n${result.code}`);
  return result.error;
}

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

describe("prepareCode step guard", () => {
  it("guards every loop form, function form and static block", () => {
    const code = [
      "for (let i = 0; i < 1; i++) {}",
      "for (let i = 0; i < 1; i++) i;",
      "for (const k in {}) ;",
      "for (const v of []) v;",
      "for await (const v of []) { v; }",
      "while (false) x;",
      "while (false) {}",
      "do x; while (false)",
      "do {} while (false);",
      "outer: for (;;) inner: for (;;) break outer;",
      "function decl() {}",
      "async function asyncDecl() { await 1; }",
      "function* gen() { yield 1; }",
      "async function* agen() { yield 1; }",
      "const fe = function () {};",
      "const named = function inner() { return inner; };",
      "const arrowBlock = () => {};",
      "const arrowExpr = (a) => a + 1;",
      "const arrowObj = () => ({ a: 1 });",
      "const curried = (a) => (b) => (c) => a + b + c;",
      "const asyncArrow = async (x) => await x;",
      "const obj = { m() {}, get g() { return 1; }, set s(v) {}, async am() {}, *gm() {}, f: function () {}, a: () => 1 };",
      "class A { constructor() {} m() {} static sm() {} get g() { return 1; } set s(v) {} #p() {} field = () => 1; static { this.x = 1; } static /* { */ { } }",
      "class B extends A { constructor() { super(); } }",
      "[1].map((v) => v * 2).forEach(function (v) { return v; });",
      "return 0;",
    ].join("\n");
    const census = guardCensus(prepared(code));
    assert.equal(census.loops, 11);
    assert.equal(census.functions, 30);
    assert.equal(census.staticBlocks, 2);
    assert.equal(
      census.calls,
      30 + 2,
      "no guard calls outside function and static-block starts (loops count on the meter)",
    );
  });

  it("aliases the step meter in exactly the functions and static blocks that have loops of their own", () => {
    const code = [
      "function noLoop() { return 1; }",
      "function outer() { const inner = () => { while (false) {} }; return inner; }",
      "function both() { for (;;) break; return () => { do {} while (false); }; }",
      "class S { static { for (const x of []) x; } m() { label: for (;;) { for (;;) continue label; } } }",
      "const expr = (xs) => xs.map((x) => { for (const y of x) y; });",
      "return noLoop();",
    ].join("\n");
    const out = prepared(code);
    const census = guardCensus(out);
    assert.equal(census.loops, 7);
    const alias = `const ${GUARD}_m=${GUARD}_meter;`;
    const lines = out.split("\n");
    // No top-level loop: the wrapper does not alias; the header imports the meter for the functions that do.
    assert.match(lines[0]!, new RegExp(`^import \\{ step as ${GUARD}, meter as ${GUARD}_meter \\}`));
    assert.ok(!lines[0]!.includes(alias));
    assert.ok(!lines[0]!.includes("if(++"), "noLoop has no alias");
    assert.equal(lines[1]!.split(alias).length - 1, 1, "outer has none, its arrow has one");
    assert.ok(lines[1]!.includes(`const inner = () => {${GUARD}();${alias}`));
    assert.equal(lines[2]!.split(alias).length - 1, 2, "both and its arrow each have one");
    assert.equal(lines[3]!.split(alias).length - 1, 2, "the static block and the method");
    assert.equal(lines[4]!.split(alias).length - 1, 1, "only the innermost arrow");
    assert.ok(!prepared("return 1;").includes("meter"), "no loop anywhere: no meter import");
  });

  it("guards TypeScript-only function forms after stripping", () => {
    const census = guardCensus(
      prepared(
        "class P { constructor(private a: number) { } method<T>(x: T): T { return x; } }\nconst g = <T,>(x: T): T => x;",
      ),
    );
    assert.equal(census.functions, 3);
  });

  it("never adds a line when wrapping single-statement bodies", () => {
    const code = "while (a)\n  b();\nfor (;;)\n  c();\nconst f = (x) =>\n  x;";
    const out = prepared(code);
    assert.equal(out.split("\n").length, code.split("\n").length + 2);
    guardCensus(out);
  });
});

describe("prepareCode errors", () => {
  it("reports a JavaScript syntax error at the original line and column, with the line", () => {
    const error = failure("const a = 1;\nconst b = (a + ;\nreturn b;");
    assert.equal(error.kind, "syntax");
    assert.equal(error.line, 2);
    assert.equal(error.column, 16);
    assert.match(error.message, /Unexpected token ";"/);
    assert.match(error.message, /2 \| const b = \(a \+ ;\n {2}\| {16}\^/);
  });

  it("reports a TypeScript syntax error (found by sucrase) in original coordinates", () => {
    const error = failure("type T = { a: string };\nlet v: T = { a: 'x' };\nlet w: T = ;");
    assert.equal(error.kind, "syntax");
    assert.deepEqual([error.line, error.column], [3, 12]);
  });

  it("maps errors found after type stripping (by acorn) back to the original column", () => {
    // Sucrase accepts the redeclaration; acorn rejects it at `y` in the stripped code, where columns differ.
    const error = failure("const x: number = 1;\nconst y: Array<number> = [], z: string = '', y: number = 2;");
    assert.equal(error.kind, "syntax");
    assert.match(error.message, /'y' has already been declared/);
    assert.deepEqual([error.line, error.column], [2, 46]);
    assert.match(error.message, /\n {2}\| {46}\^$/);
  });

  it("reports await inside a non-async function", () => {
    const error = failure("function f() {\n  await g();\n}");
    assert.equal(error.kind, "syntax");
    assert.equal(error.line, 2);
  });

  it("rejects an unknown server with suggestions and the list of modules", () => {
    const error = failure('import { read_file } from "servers/worksapce";\nawait read_file({});');
    assert.equal(error.kind, "import");
    assert.deepEqual([error.line, error.column], [1, 27]);
    assert.match(error.message, /no such module\. Did you mean "servers\/workspace"\?/);
    assert.match(
      error.message,
      /Modules you can import: gateway, servers\/workspace, servers\/github, skills\/copy_tree/,
    );
  });

  it("says how to write a file-style specifier", () => {
    const error = failure('import { read_file } from "./servers/workspace.js";');
    assert.match(error.message, /write the module name as "servers\/workspace"/);
  });

  it("rejects an unknown tool with did-you-mean and the exports", () => {
    const error = failure('import { readFile } from "servers/workspace";\nawait readFile({});');
    assert.equal(error.kind, "import");
    assert.deepEqual([error.line, error.column], [1, 10]);
    assert.match(error.message, /"servers\/workspace" has no export "readFile"\. Did you mean "read_file"/);
    assert.match(error.message, /Its exports: read_file, write_file, list_directory, search_files, move_file\./);
  });

  it("lists every import problem at once, located at the first", () => {
    const error = failure(
      'import { read_fil } from "servers/workspace";\nimport { stat } from "gateway";\nread_fil(stat);',
    );
    assert.deepEqual([error.line, error.column], [1, 10]);
    assert.match(
      error.message,
      /\^\nOther import problems:\n- line 2: "gateway" has no export "stat"\. Did you mean "state"\?[^\n]*$/,
    );
  });

  it("rejects default imports with the named-import form to use", () => {
    const error = failure('import ws from "servers/workspace";');
    assert.equal(error.kind, "import");
    assert.match(error.message, /Default imports are not supported/);
    assert.match(error.message, /import \{ read_file, write_file \} from "servers\/workspace"/);
    assert.match(error.message, /import \* as ws from "servers\/workspace"/);
  });

  it("refuses imports of network modules with the reason and the way that works", () => {
    for (const specifier of ["cloudflare:sockets", "node:net", "https"]) {
      assert.match(
        failure(`import * as m from "${specifier}";`).message,
        new RegExp(`Cannot import "${specifier}": the sandbox has no network\\. Reach the outside through tools`),
      );
    }
  });

  it("rejects unknown and pinned-but-missing skill versions", () => {
    assert.match(
      failure('import { copy_tree } from "skills/copy_tree@9";').message,
      /^Skill "copy_tree" has no version 9; its versions, newest first: 3, 2, 1\. Import "skills\/copy_tree" for the latest/,
    );
    assert.match(failure('import { copy } from "skills/copy_tre";').message, /Did you mean "skills\/copy_tree"/);
  });

  it("names the newest few versions of a skill with many, and counts the older ones", () => {
    const versions = Array.from({ length: 40 }, (_, i) => i + 1);
    const modules = { ...MODULES, skills: { many: { latest: 40, versions, exports: ["many"] } } };
    const result = prepareCode({ code: 'import { many } from "skills/many@99";', modules, guardName: GUARD });
    assert.equal(result.ok, false);
    assert.match(
      !result.ok ? result.error.message : "",
      /^Skill "many" has no version 99; its versions, newest first: 40, 39, 38, 37, 36, … and 35 older\. /,
    );
  });

  it("rejects dynamic import(), require() and export", () => {
    const dynamic = failure('const m = await import("servers/workspace");');
    assert.equal(dynamic.kind, "import");
    assert.match(dynamic.message, /Dynamic import\(\) is not supported/);
    const req = failure('const fs = require("fs");');
    assert.equal(req.kind, "import");
    assert.match(req.message, /require\(\) is not supported/);
    for (const code of [
      "export const a = 1;",
      "export default 1;",
      'export * from "gateway";',
      "const a = 1;\nexport { a };",
    ]) {
      const error = failure(code);
      assert.equal(error.kind, "syntax");
      assert.match(error.message, /Use `return <value>`/);
    }
    assert.equal(failure("const a = 1;\nexport { a };").line, 2);
    assert.ok(
      prepare("export interface T { a: 1 }\nexport type U = T;\nexport {};\nreturn 1;").ok,
      "type-only exports vanish",
    );
  });

  it("rejects TypeScript value namespaces, which sucrase would silently delete", () => {
    const error = failure("const a = 1;\nnamespace Util { export const b = 2; }\nreturn Util.b;");
    assert.equal(error.line, 2);
    assert.match(error.message, /namespaces are not supported/);
    assert.ok(prepare("declare namespace Ambient { const c: number; }\nreturn 1;").ok);
  });

  it("rejects value namespaces in any layout, at the namespace/module keyword", () => {
    for (const [code, line, column] of [
      ["const a = 1; namespace N { export const x = 1 }\nreturn a;", 1, 14],
      ["namespace N\n{ export const x = 1 }\nreturn 1;", 1, 1],
      ["namespace /*c*/ N { export const x = 1 }\nreturn 1;", 1, 1],
      ["let b = 1;\n  namespace /* a */ A . /* b */ B // c\n  { export const x = 1 }\nreturn b;", 2, 3],
      ["export namespace A.B.C { export const x = 1 }\nreturn 1;", 1, 8],
      ["module M { export let y = 2 }\nreturn 1;", 1, 1],
      ["const a = 1;\n  export module A.B { let y = 2 }\nreturn 1;", 2, 10],
      ["function f() {\n  namespace N { export const x = 1 }\n}\nreturn 1;", 2, 3],
      ["if (true) { module M { export function g() {} } }\nreturn 1;", 1, 13],
      [`const s = \`\${(() => { namespace N { export const x = 1 } })()}\`;\nreturn s;`, 1, 23],
      ["namespace T { export namespace U { export const y = 1 } }\nreturn 1;", 1, 1],
      ["namespace T { export type X = number; export enum E { A } }\nreturn 1;", 1, 1],
      ["declare namespace D {}\nnamespace N { const x = 1 }\nreturn 1;", 2, 1],
    ] as const) {
      const error = failure(code);
      assert.equal(error.kind, "syntax", code);
      assert.match(error.message, /TypeScript namespaces are not supported \(their code would be lost\)/, code);
      assert.deepEqual([error.line, error.column], [line, column], code);
    }
  });

  it("accepts namespaces that lose no code: ambient ones and those holding only types", () => {
    for (const code of [
      "declare namespace N { const x: number; function f(): void }",
      "export declare namespace N { const x: number; namespace Q { let z: 1 } }",
      "declare module M { export const a: number }",
      'declare module "x" { export const a: number }',
      'declare module "x";',
      "declare global { namespace NodeJS { const q: number } }",
      "namespace T { export type X = number }",
      "namespace T { export interface I { a: 1 } declare const z: number; export namespace U { export type Y = 1 } }",
      "export namespace A.B.C { }",
    ]) {
      const result = stripTypes(`${code}\nreturn 1;`);
      assert.ok(result.ok, code);
      assert.equal(result.code.trim(), "return 1;", code);
      assert.ok(prepare(`${code}\nreturn 1;`).ok, code);
    }
  });

  it("leaves `namespace` and `module` as identifiers, in strings and in comments alone", () => {
    const code = [
      "const namespace = (n: number) => n * 2; let module = { x: 1 };",
      "module.x += namespace",
      "(3);",
      "namespace",
      "(4);",
      "module",
      "{ module.x++; }",
      "const s = 'namespace N { }'; // namespace M { export const a = 1 }",
      `/* module Q { } */ const t = \`\${'module A {'}\`;`,
      "return [module.x, s, t];",
    ].join("\n");
    const result = stripTypes(code);
    assert.ok(result.ok);
    assert.equal(result.code, code.replace(": number", ""));
    assert.deepEqual(new Function(result.code)(), [8, "namespace N { }", "module A {"]);
    assert.ok(prepare(code).ok);
  });

  it("rejects identifiers starting with __cg, wherever they appear", () => {
    for (const [code, line, column] of [
      ["const __cg_step_3f9a1c = () => {};", 1, 7],
      ["let ok = 1;\nok = __cgX;", 2, 6],
      ["const o = { __cg: 1 };", 1, 13],
      ["function f(__cgArg) {}", 1, 12],
      ["__cg_label: for (;;) {}", 1, 1],
      ["const s: string = 'x';\nconst t: number = 1, __cgT = 2;", 2, 22],
      ['import { read_file as __cg_step_3f9a1c } from "servers/workspace";', 1, 23],
      ['import * as __cgWs from "servers/workspace";', 1, 13],
    ] as const) {
      const error = failure(code);
      assert.equal(error.kind, "reserved", code);
      assert.deepEqual([error.line, error.column], [line, column], code);
    }
    assert.ok(
      prepare("const s = '__cg_step_3f9a1c'; const o = { a__cg: 1 };").ok,
      "strings and inner matches are fine",
    );
  });

  it("gives a clean error for 100,000-deep nesting and oversized code", () => {
    for (const code of [
      `return ${"(".repeat(100_000)}1${")".repeat(100_000)};`,
      `return ${"[".repeat(100_000)}${"]".repeat(100_000)};`,
      `return ${"1+".repeat(100_000)}1;`,
      `let x: ${"Array<".repeat(100_000)}number${">".repeat(100_000)};`,
    ]) {
      const error = failure(code);
      assert.equal(error.kind, "syntax");
      assert.match(error.message, /nested too deeply/);
    }
    const big = failure(`return "${"x".repeat(2 * 1024 * 1024)}";`);
    assert.equal(big.kind, "syntax");
    assert.match(big.message, new RegExp(`limit is ${MAX_CODE_BYTES} bytes`));
    assert.match(failure(`return "${"€".repeat(400_000)}";`).message, /bytes; the limit/, "counted in UTF-8 bytes");
  });

  it('refuses regex literals (and new RegExp("…")) that no engine can run safely, at their position', () => {
    const literal = failure("const ok = /^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$/;\nconst bad = /(a|b)*\\1/;");
    assert.equal(literal.kind, "syntax");
    assert.deepEqual([literal.line, literal.column], [2, 13]);
    assert.match(
      literal.message,
      /^Invalid regular expression \/\(a\|b\)\*\\1\/: it cannot run in the sandbox because/,
    );
    assert.equal(failure('const re = new RegExp("(a|b)*\\\\1", "u");').column, 23);
    assert.ok(prepare('const re = new RegExp("(a+)+$"); return /(\\w+)\\s(\\w+)/.exec("a b");').ok);
  });

  it("rewrites regex literals V8 could backtrack on into the sandbox's planned constructor, on their line", () => {
    const code = prepared("const a = /^\\d{4}$/;\nconst b = /^(\\w+\\s?)*$/gi;\nreturn [a, b];");
    const lines = code.split("\n");
    assert.match(lines[0]!, new RegExp(`import \\{ createRegExp as ${GUARD}_regex \\} from "\\./regex-guard\\.js";`));
    assert.equal(lines[1], "const b = ".concat(`${GUARD}_regex("^(\\\\w+\\\\s?)*$", "gi");`));
    assert.match(lines[0]!, /const a = \/\^\\d\{4\}\$\/;$/);
    assert.ok(!prepared("return /^\\d+/.test('1');").includes("_regex"));
  });

  it("rewrites a regex literal that is an arrow body or a loop body inside the guard's wrapper", () => {
    const code = prepared('const f = () => /(a+)+$/;\nfor (;;) /(b+)+$/.test("b");');
    const lines = code.split("\n");
    assert.match(
      lines[0]!,
      new RegExp(`const f = \\(\\) => \\(${GUARD}\\(\\), ${GUARD}_regex\\("\\(a\\+\\)\\+\\$", ""\\)\\);$`),
    );
    assert.equal(
      lines[1],
      `for (;;) {if(++${GUARD}_m.n>${GUARD}_m.max)${GUARD}_m.over();${GUARD}_regex("(b+)+$", "").test("b");}`,
    );
  });

  it("refuses a guard name outside the reserved prefix (a host bug)", () => {
    assert.throws(() => prepareCode({ code: "", modules: MODULES, guardName: "step" }), TypeError);
    assert.throws(() => prepareCode({ code: "", modules: MODULES, guardName: "__cg_main" }), TypeError);
  });
});

describe("agentLocation", () => {
  it("finds the first agent.js frame", () => {
    const stack = [
      "Error: boom",
      "    at step (runtime.js:4:11)",
      "    at walk (agent.js:12:3)",
      "    at __cg_main (agent.js:20:9)",
    ].join("\n");
    assert.deepEqual(agentLocation(stack), { line: 12, column: 3 });
    assert.deepEqual(agentLocation("Error\n    at file:///tmp/x/agent.js:7:1"), { line: 7, column: 1 });
    assert.deepEqual(agentLocation("Error\n    at async agent.js:5:2"), { line: 5, column: 2 });
    assert.equal(agentLocation("Error\n    at myagent.js:1:1\n    at runtime.js:2:2"), undefined);
  });
});

describe("whether the program can make a regular expression (the sandbox's full regex guard)", () => {
  const regex = (code: string) => {
    const result = prepareCode({ code, modules: MODULES, guardName: GUARD });
    assert.ok(result.ok, JSON.stringify(result));
    return result.regex;
  };

  it("is false for code that never names one", () => {
    for (const code of [
      "return 1;",
      "const parts = 'a-b'.split('-'); return parts.join('+').replace('+', '=');",
      "const R = globalThis['Reg' + 'Exp']; return typeof R;",
      "const m = 'mat' + 'ch'; return 'a'[m];",
      "// RegExp, match and search in a comment are not code\nreturn 2;",
      "let x = 6 / 2 / 3; return x;",
      "const searching = 1, matches = 2; return searching + matches;",
    ]) {
      assert.equal(regex(code), false, code);
    }
  });

  it("is true for a regex literal, a name of RegExp, match, matchAll or search, or such a string", () => {
    for (const code of [
      "return /a/.test('a');",
      "return /(a+)+$/.test('a');",
      "return new RegExp('a').source;",
      "return RegExp;",
      "return 'abc'.match('b');",
      "return [...'abab'.matchAll('b')];",
      "return 'abc'.search('c');",
      "const { match } = String.prototype; return typeof match;",
      "return 'a'['match']('a');",
      "return String.prototype[`search`];",
      "const key = 'RegExp'; return globalThis[key];",
      "const o = { search: 1 }; return o;",
      "const s = 'a'; return s?.match?.('a');",
    ]) {
      assert.equal(regex(code), true, code);
    }
  });

  it("counts names in TypeScript only where they survive as code", () => {
    assert.equal(regex("type M = { match: string }; const m: RegExp | null = null; return m;"), false);
    assert.equal(regex("const re: RegExp = new RegExp('x'); return re.source;"), true);
  });
});
