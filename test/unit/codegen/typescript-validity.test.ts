import assert from "node:assert/strict";
import { describe, it } from "node:test";
import ts from "typescript";
import { serverModuleDeclaration, toolDeclaration } from "../../../src/codegen/declarations";
import { assignIdentifiers } from "../../../src/codegen/names";
import type { CatalogTool, JsonSchema } from "../../../src/registry/registry-types";

/** Just enough of the standard library for declarations (noLib keeps the check fast). */
const MINI_LIB = `
interface Array<T> { length: number; [n: number]: T }
interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T }
interface Boolean {} interface CallableFunction {} interface Function {} interface IArguments {}
interface NewableFunction {} interface Number {} interface Object {} interface RegExp {} interface String {}
interface Promise<T> { then<R>(onfulfilled: (value: T) => R): Promise<R> }
`;

/** Type errors of `files` compiled together with the mini lib (strict mode). */
function typeErrors(files: Record<string, string>): string[] {
  const all: Record<string, string> = { "lib.d.ts": MINI_LIB, ...files };
  const options: ts.CompilerOptions = {
    noLib: true,
    strict: true,
    noEmit: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (name, version) =>
    all[name] === undefined ? undefined : ts.createSourceFile(name, all[name]!, version);
  host.fileExists = (name) => all[name] !== undefined;
  host.readFile = (name) => all[name];
  const program = ts.createProgram(Object.keys(all), options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** A hostile catalog: names, descriptions and schemas chosen to break naive code generation. */
function hostileCatalog(): CatalogTool[] {
  const cyclic: Record<string, unknown> = { type: "object", properties: {} };
  (cyclic.properties as Record<string, unknown>).self = cyclic;
  let deep: Record<string, unknown> = { type: "string" };
  for (let i = 0; i < 10_000; i++) deep = { type: "object", properties: { d: deep }, required: ["d"] };
  const schemas: Array<[string, JsonSchema, JsonSchema?]> = [
    ["read-file", { type: "object", properties: { path: { type: "string" } }, required: ["path"] }],
    ["read.file", { type: "object", properties: { "*/ x": { enum: ["*/", "\u2028", 'a"b'] } } }],
    ["readFile", cyclic, deep],
    ["then", { $ref: "#" }],
    [
      "list",
      {
        $defs: {
          Input: { type: "object", properties: { next: { $ref: "#/$defs/Input" } } },
          "List Input": { anyOf: [{ $ref: "#/$defs/List Input" }, { type: "null" }] },
          Promise: { type: "string" },
        },
        type: "object",
        properties: {
          a: { $ref: "#/$defs/Input" },
          b: { $ref: "#/$defs/List Input" },
          c: { $ref: "#/$defs/Promise" },
          t: { prefixItems: [{ type: ["string", "null"] }, { anyOf: [{ type: "number" }, { type: "object" }] }] },
          m: { type: "object", properties: { k: { type: "string" } }, additionalProperties: { type: "number" } },
          n: { type: "object", properties: { k: { type: "string" } }, patternProperties: { x: { type: "boolean" } } },
        },
      },
      { $defs: { Input: { type: "number" } }, type: "array", items: { $ref: "#/$defs/Input" } },
    ],
    ["日本語", { enum: Array.from({ length: 50_000 }, (_, i) => `v${i}`) }],
    ["__proto__", JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"},"0":{"const":0}}}')],
    ["x".repeat(200), true, false],
  ];
  const ids = assignIdentifiers(schemas.map(([name]) => name));
  return schemas.map(([name, inputSchema, outputSchema]) => ({
    server: "evil",
    serverId: "evil",
    name,
    id: ids.get(name)!,
    description: `Tool ${name}. */ declare const pwned: 1; /** @example`,
    inputSchema,
    ...(outputSchema === undefined ? {} : { outputSchema }),
    examples: [{ path: "*/" }, 1n],
    hash: "h",
  }));
}

describe("generated declarations type-check", () => {
  it("declares a hostile server module that compiles and can be called", () => {
    const tools = hostileCatalog();
    const readFile = tools.find((t) => t.name === "read-file")!;
    const errors = typeErrors({
      "servers.d.ts": serverModuleDeclaration("evil", tools),
      "agent.ts": `import { ${readFile.id} } from "servers/evil";\nconst r: Promise<unknown> = ${readFile.id}({ path: "a" });\n`,
    });
    assert.deepEqual(errors, []);
  });

  it("declares each hostile tool on its own in a way that compiles", () => {
    for (const tool of hostileCatalog()) {
      assert.deepEqual(typeErrors({ "tool.ts": toolDeclaration(tool) }), [], tool.name);
    }
  });

  it("rejects a call with a missing required argument, so the types carry meaning", () => {
    const tools = hostileCatalog();
    const readFile = tools.find((t) => t.name === "read-file")!;
    const errors = typeErrors({
      "servers.d.ts": serverModuleDeclaration("evil", tools),
      "agent.ts": `import { ${readFile.id} } from "servers/evil";\n${readFile.id}({});\n`,
    });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /path/);
  });
});
