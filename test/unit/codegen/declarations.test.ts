import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serverModuleDeclaration, toolDeclaration, toolSignature } from "../../../src/codegen/declarations";
import type { CatalogTool } from "../../../src/registry/registry-types";

function tool(fields: Partial<CatalogTool> & Pick<CatalogTool, "name" | "id">): CatalogTool {
  return {
    server: "Workspace",
    serverId: "workspace",
    description: "",
    inputSchema: { type: "object" },
    hash: "h",
    ...fields,
  };
}

const readFile = tool({
  name: "read_file",
  id: "read_file",
  description: "Read a UTF-8 text file.",
  inputSchema: {
    type: "object",
    properties: { path: { type: "string", description: "Relative path." } },
    required: ["path"],
  },
  examples: [{ path: "README.md" }],
});

const getEnv = tool({
  name: "get-env",
  id: "get_env",
  description: "Get an environment variable.",
  inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  outputSchema: { type: "object", properties: { value: { type: ["string", "null"] } }, required: ["value"] },
});

describe("toolDeclaration", () => {
  it("declares input, unknown output, JSDoc with examples and the function", () => {
    assert.equal(
      toolDeclaration(readFile),
      `export interface ReadFileInput {
  /** Relative path. */
  path: string;
}
export type ReadFileOutput = unknown;
/**
 * Read a UTF-8 text file.
 *
 * @example
 * await read_file({"path":"README.md"});
 */
export declare function read_file(args: ReadFileInput): Promise<ReadFileOutput>;`,
    );
  });

  it("declares the output schema and names the upstream name when the id differs", () => {
    assert.equal(
      toolDeclaration(getEnv),
      `export interface GetEnvInput {
  name: string;
}
export interface GetEnvOutput {
  value: string | null;
}
/**
 * Get an environment variable.
 *
 * Upstream name: "get-env"
 */
export declare function get_env(args: GetEnvInput): Promise<GetEnvOutput>;`,
    );
  });

  it("says in the JSDoc that a tool needing MCP tasks cannot be called", () => {
    assert.equal(
      toolDeclaration({ ...getEnv, needsTasks: true }),
      `export interface GetEnvInput {
  name: string;
}
export interface GetEnvOutput {
  value: string | null;
}
/**
 * Get an environment variable.
 *
 * Cannot be called: it needs MCP tasks, which the gateway does not support yet.
 *
 * Upstream name: "get-env"
 */
export declare function get_env(args: GetEnvInput): Promise<GetEnvOutput>;`,
    );
  });

  it("declares named definitions before the input, prefixed with the tool's type name", () => {
    const walk = tool({
      name: "walk",
      id: "walk",
      inputSchema: {
        $defs: {
          Node: { type: "object", description: "A node.", properties: { kids: { items: { $ref: "#/$defs/Node" } } } },
        },
        type: "object",
        properties: { root: { $ref: "#/$defs/Node" } },
      },
    });
    assert.equal(
      toolDeclaration(walk),
      `/** A node. */
export interface WalkNode {
  kids?: WalkNode[];
}
export interface WalkInput {
  root?: WalkNode;
}
export type WalkOutput = unknown;
export declare function walk(args: WalkInput): Promise<WalkOutput>;`,
    );
  });

  it("breaks a comment terminator in the description and cleans hidden characters", () => {
    const evil = tool({ name: "x", id: "x", description: "Lists.\u202e */ declare const pwned: 1; /*" });
    assert.ok(toolDeclaration(evil).includes("/** Lists. *\\/ declare const pwned: 1; /* */"));
  });

  it("throws on an id that is not a safe identifier", () => {
    assert.throws(() => toolDeclaration(tool({ name: "a-b", id: "a-b" })), /not a safe identifier/);
  });
});

describe("toolSignature", () => {
  it("inlines a small input type", () => {
    assert.equal(toolSignature(readFile), "read_file(args: { path: string }): Promise<unknown>");
  });

  it("inlines a small output type", () => {
    assert.equal(toolSignature(getEnv), "get_env(args: { name: string }): Promise<{ value: string | null }>");
  });

  it("falls back to named types when the inline signature is too long", () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) properties[`option_${i}`] = { type: "string" };
    const big = tool({ name: "read_file", id: "read_file", inputSchema: { type: "object", properties } });
    assert.equal(toolSignature(big), "read_file(args: ReadFileInput): Promise<unknown>");
    assert.equal(
      toolSignature({ ...big, outputSchema: big.inputSchema }),
      "read_file(args: ReadFileInput): Promise<ReadFileOutput>",
    );
  });

  it("keeps the inline input and names only the output when just the output is too long", () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) properties[`field_${i}`] = { type: "number" };
    const withBigOutput = { ...readFile, outputSchema: { type: "object", properties } };
    assert.equal(toolSignature(withBigOutput), "read_file(args: { path: string }): Promise<ReadFileOutput>");
  });

  it("shows the result type get_tool_details declares: an observed one, else unknown; a declared one wins", () => {
    const observed = { outputType: () => ({ type: "{ text: string }", doc: ["@observed"] }) };
    assert.equal(toolSignature(readFile, observed), "read_file(args: { path: string }): Promise<{ text: string }>");
    assert.match(toolDeclaration(readFile, observed), /export type ReadFileOutput = \{ text: string \};/);
    assert.equal(
      toolSignature(readFile, { outputType: () => undefined }),
      "read_file(args: { path: string }): Promise<unknown>",
    );
    assert.equal(toolSignature(getEnv, observed), "get_env(args: { name: string }): Promise<{ value: string | null }>");
    // Too long to inline: the name get_tool_details declares it under.
    const long = { outputType: () => ({ type: `{ ${"field: string; ".repeat(40)}}`, doc: [] }) };
    assert.equal(toolSignature(readFile, long), "read_file(args: { path: string }): Promise<ReadFileOutput>");
  });
});

describe("serverModuleDeclaration", () => {
  it("wraps every tool's declaration, sorted by id, in declare module without declare modifiers", () => {
    assert.equal(
      serverModuleDeclaration("workspace", [readFile, getEnv]),
      `declare module "servers/workspace" {
  export interface GetEnvInput {
    name: string;
  }
  export interface GetEnvOutput {
    value: string | null;
  }
  /**
   * Get an environment variable.
   *
   * Upstream name: "get-env"
   */
  export function get_env(args: GetEnvInput): Promise<GetEnvOutput>;

  export interface ReadFileInput {
    /** Relative path. */
    path: string;
  }
  export type ReadFileOutput = unknown;
  /**
   * Read a UTF-8 text file.
   *
   * @example
   * await read_file({"path":"README.md"});
   */
  export function read_file(args: ReadFileInput): Promise<ReadFileOutput>;
}`,
    );
  });

  it("gives tools whose ids share a PascalCase form distinct type names", () => {
    const out = serverModuleDeclaration("w", [
      tool({ name: "get_env", id: "get_env" }),
      tool({ name: "getEnv", id: "getEnv" }),
    ]);
    assert.ok(out.includes("export function getEnv(args: GetEnvInput): Promise<GetEnvOutput>;"));
    assert.ok(out.includes("export function get_env(args: GetEnv2Input): Promise<GetEnv2Output>;"));
  });

  it("declares an empty module for a server without tools", () => {
    assert.equal(serverModuleDeclaration("empty", []), 'declare module "servers/empty" {\n}');
  });
});
