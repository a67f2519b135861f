/**
 * TypeScript namespaces: sucrase would silently delete a value namespace's code, so prepareCode refuses one in any
 * layout, at its keyword; ambient and type-only namespaces pass, and `namespace` and `module` stay usable as names.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripTypes } from "../../../src/sandbox/prepare-strip";
import { failure, prepare } from "./prepare-fixtures";

describe("prepareCode errors", () => {
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
});
