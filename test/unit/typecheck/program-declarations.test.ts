import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Catalog } from "../../../src/registry/registry";
import type { CatalogTool } from "../../../src/registry/registry-types";
import type { ServerEntry } from "../../../src/registry/server-entry";
import { refuses } from "../../../src/typecheck/policy";
import { programDeclarations } from "../../../src/typecheck/program-declarations";
import type { CheckerDiagnostic } from "../../../src/typecheck/typecheck-types";

function tool(id: string, outputSchema?: CatalogTool["outputSchema"]): CatalogTool {
  return {
    server: "files",
    serverId: "files",
    name: id,
    id,
    description: "",
    inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    ...(outputSchema ? { outputSchema } : {}),
    hash: `h-${id}`,
  };
}

const tools = [tool("read"), tool("stat", { type: "object", properties: { size: { type: "number" } } }), tool("rm")];
const entry = { name: "files", serverId: "files", tools, byId: new Map(tools.map((t) => [t.id, t])) } as ServerEntry;
const catalog = {
  servers: [entry],
  byServerId: new Map([["files", entry]]),
  byName: new Map([["files", entry]]),
} as Catalog;
const base = { catalog, skills: new Map(), latestSkill: () => undefined };

describe("program declarations", () => {
  test("a large server declares only the imported tools; an undeclared result is any before anything is observed", () => {
    const many = [...tools, ...Array.from({ length: 70 }, (_, i) => tool(`t${i}`))];
    const big = { ...entry, tools: many, byId: new Map(many.map((t) => [t.id, t])) } as ServerEntry;
    const bigCatalog = { ...catalog, byServerId: new Map([["files", big]]) } as Catalog;
    const text = programDeclarations({
      ...base,
      catalog: bigCatalog,
      imports: [{ kind: "server", module: "files", names: ["read"] }],
    });
    assert.equal(
      text,
      [
        'declare module "servers/files" {',
        "  export interface ReadInput {",
        "    path: string;",
        "  }",
        "  export type ReadOutput = any;",
        "  export function read(args: ReadInput): Promise<ReadOutput>;",
        "}",
      ].join("\n"),
    );
  });

  test("a large server imported for values and again for types is declared once, with the tools its type names belong to", () => {
    const many = [...tools, ...Array.from({ length: 70 }, (_, i) => tool(`t${i}`))];
    const big = { ...entry, tools: many, byId: new Map(many.map((t) => [t.id, t])) } as ServerEntry;
    const bigCatalog = { ...catalog, byServerId: new Map([["files", big]]) } as Catalog;
    const text = programDeclarations({
      ...base,
      catalog: bigCatalog,
      imports: [
        { kind: "server", module: "files", names: ["read"] },
        { kind: "server", module: "files", names: [], types: ["StatOutput", "T42Input"] },
      ],
    });
    assert.equal(text.match(/declare module/g)?.length, 1);
    const declared = [...text.matchAll(/export function (\w+)/g)].map((m) => m[1]);
    // T42Input starts with T4 too (tool t4): a name declares every tool whose type name starts it.
    assert.deepEqual(declared.sort(), ["read", "stat", "t4", "t42"]);
  });

  test("a small server is declared whole, so type-only imports of other tools resolve", () => {
    const text = programDeclarations({ ...base, imports: [{ kind: "server", module: "files", names: ["read"] }] });
    assert.match(text, /export type RmOutput = any;/);
  });

  test("an observed type replaces any and carries its @observed doc; a declared outputSchema wins", () => {
    const text = programDeclarations({
      ...base,
      imports: [{ kind: "server", module: "files", names: ["read", "stat"] }],
      observed: () => ({ type: "string", doc: ["Observed from 2 calls.", "@observed"] }),
    });
    assert.match(
      text,
      /\/\*\*\n {3}\* Observed from 2 calls\.\n {3}\* @observed\n {3}\*\/\n {2}export type ReadOutput = string;/,
    );
    assert.match(text, /export interface StatOutput \{\n {4}size\?: number;\n {2}\}/);
  });

  test("a rendering is reused only while the observed types it shows are unchanged", () => {
    let observed = "string";
    const program = {
      ...base,
      imports: [{ kind: "server" as const, module: "files", names: ["read"] }],
      observed: () => ({ type: observed, doc: [] }),
    };
    const first = programDeclarations(program);
    assert.equal(programDeclarations(program), first);
    observed = "{ text: string }";
    const changed = programDeclarations(program);
    assert.match(changed, /export type ReadOutput = \{ text: string \};/);
    observed = "string";
    assert.equal(programDeclarations(program), first);
  });

  test("the gateway module is declared when imported", () => {
    const text = programDeclarations({ ...base, imports: [{ kind: "gateway", module: "gateway", names: ["state"] }] });
    assert.match(text, /^declare module "gateway" \{/);
    assert.match(text, /get\(key: string\): Promise<any>;/);
  });
});

describe("type-check policy", () => {
  const d = (surface: CheckerDiagnostic["surface"], error = true): CheckerDiagnostic => ({
    line: 1,
    column: 1,
    code: 2322,
    error,
    message: "",
    surface,
  });

  test("tools refuses only errors in the tool surface", () => {
    assert.deepEqual(
      [refuses(d("tool"), "tools"), refuses(d("observed"), "tools"), refuses(d("other"), "tools")],
      [true, false, false],
    );
  });

  test("strict also refuses errors resting on observed types, never the program's own", () => {
    assert.deepEqual(
      [refuses(d("tool"), "strict"), refuses(d("observed"), "strict"), refuses(d("other"), "strict")],
      [true, true, false],
    );
  });

  test("warn refuses nothing, and no policy refuses a non-error diagnostic", () => {
    assert.equal(refuses(d("tool"), "warn"), false);
    assert.equal(refuses(d("tool", false), "strict"), false);
  });
});
