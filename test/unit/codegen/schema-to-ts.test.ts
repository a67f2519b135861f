import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemaToType, schemaToTypes } from "../../../src/codegen/schema-to-ts";

describe("schemaToType: basic types", () => {
  it("maps boolean schemas and empty schemas to unknown and never", () => {
    assert.equal(schemaToType(true), "unknown");
    assert.equal(schemaToType(false), "never");
    assert.equal(schemaToType({}), "unknown");
    assert.equal(schemaToType({ description: "anything" }), "unknown");
  });

  it("maps primitive types, integer to number", () => {
    assert.equal(schemaToType({ type: "string" }), "string");
    assert.equal(schemaToType({ type: "integer" }), "number");
    assert.equal(schemaToType({ type: "boolean" }), "boolean");
    assert.equal(schemaToType({ type: "null" }), "null");
  });

  it("maps a type array to a union", () => {
    assert.equal(schemaToType({ type: ["string", "null"] }), "string | null");
    assert.equal(schemaToType({ type: ["integer", "number"] }), "number");
  });

  it("maps an unknown type name to unknown", () => {
    assert.equal(schemaToType({ type: "any" }), "unknown");
  });

  it("maps an object without properties to {}", () => {
    assert.equal(schemaToType({ type: "object" }), "{}");
  });

  it("parenthesizes a union array element", () => {
    assert.equal(schemaToType({ type: "array", items: { type: ["string", "number"] } }), "(string | number)[]");
    assert.equal(schemaToType({ type: "array" }), "unknown[]");
  });
});

describe("schemaToType: nullable, enum and const", () => {
  it("adds null for OpenAPI nullable, type arrays and anyOf with null alike", () => {
    const schema = {
      type: "object",
      properties: {
        a: { type: "string", nullable: true },
        b: { type: ["integer", "null"] },
        c: { anyOf: [{ type: "string" }, { type: "null" }] },
      },
    };
    assert.equal(
      schemaToType(schema),
      `{
  a?: string | null;
  b?: number | null;
  c?: string | null;
}`,
    );
  });

  it("emits enum and const values as JSON literals, invisible characters escaped", () => {
    const schema = {
      type: "object",
      properties: {
        mode: { enum: ["r", "w", 1, true, null] },
        kind: { const: "file" },
        quote: { enum: ['say "hi"\u202e'] },
      },
      required: ["kind"],
    };
    assert.equal(
      schemaToType(schema),
      `{
  mode?: "r" | "w" | 1 | true | null;
  kind: "file";
  quote?: "say \\"hi\\"\\u202e";
}`,
    );
  });

  it("widens an enum with a non-literal value to the values' base types", () => {
    assert.equal(schemaToType({ enum: ["a", { b: 1 }] }), "unknown");
    assert.equal(schemaToType({ enum: [1, Number.NaN] }), "number");
  });
});

describe("schemaToType: objects", () => {
  it("maps additionalProperties and patternProperties to index signatures", () => {
    const schema = {
      type: "object",
      properties: {
        free: { type: "object", additionalProperties: true },
        counts: { type: "object", additionalProperties: { type: "integer" } },
        mixed: { type: "object", properties: { id: { type: "string" } }, additionalProperties: { type: "number" } },
        open: { type: "object", properties: { id: { type: "string" } }, additionalProperties: true },
        closed: { type: "object", properties: { id: { type: "string" } }, additionalProperties: false },
        env: { type: "object", patternProperties: { "^[A-Z_]+$": { type: "string" } } },
        "x-weird key": { type: "boolean" },
      },
    };
    assert.equal(
      schemaToType(schema),
      `{
  free?: {
    [key: string]: unknown;
  };
  counts?: {
    [key: string]: number;
  };
  mixed?: {
    id?: string;
  } & {
    [key: string]: number;
  };
  open?: {
    id?: string;
    [key: string]: unknown;
  };
  closed?: {
    id?: string;
  };
  env?: {
    [key: string]: string;
  };
  "x-weird key"?: boolean;
}`,
    );
  });

  it("documents description, format, default, examples and constraints in JSDoc", () => {
    const schema = {
      type: "object",
      properties: {
        when: { type: "string", format: "date-time", description: "  When\u200b it happened. */ evil" },
        limit: { type: "integer", default: 10, minimum: 1, maximum: 100, description: "Max results." },
        name: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z]+$", examples: ["alice", "bob"] },
        old: { type: "string", deprecated: true },
      },
    };
    assert.equal(
      schemaToType(schema),
      `{
  /**
   * When it happened. *\\/ evil
   * @format date-time
   */
  when?: string;
  /**
   * Max results.
   * @default 10
   * @minimum 1
   * @maximum 100
   */
  limit?: number;
  /**
   * @minLength 1
   * @maxLength 64
   * @pattern ^[a-z]+$
   * @example "alice"
   * @example "bob"
   */
  name?: string;
  /** @deprecated */
  old?: string;
}`,
    );
  });

  it("types a required property that has no schema as unknown", () => {
    assert.equal(schemaToType({ type: "object", required: ["id"] }), "{\n  id: unknown;\n}");
  });

  it("intersects allOf members", () => {
    const schema = {
      allOf: [
        { type: "object", properties: { a: { type: "string" } } },
        { type: "object", properties: { b: { type: "number" } } },
      ],
    };
    assert.equal(schemaToType(schema), "{\n  a?: string;\n} & {\n  b?: number;\n}");
  });

  it("writes everything on one line without JSDoc when compact", () => {
    const schema = {
      type: "object",
      properties: {
        path: { type: "string", description: "p" },
        opts: { type: "object", properties: { a: { type: "boolean" } } },
      },
      required: ["path"],
    };
    assert.equal(schemaToType(schema, { compact: true }), "{ path: string; opts?: { a?: boolean } }");
  });
});

describe("schemaToType: arrays and tuples", () => {
  it("maps 2020-12 prefixItems with items false to a closed tuple, optional past minItems", () => {
    const schema = { type: "array", prefixItems: [{ type: "number" }, { type: "string" }], items: false, minItems: 1 };
    assert.equal(schemaToType(schema), "[number, string?]");
  });

  it("maps 2020-12 prefixItems with an items schema to a tuple with a rest element", () => {
    const schema = { type: "array", prefixItems: [{ type: "string" }], items: { type: "integer" }, minItems: 1 };
    assert.equal(schemaToType(schema), "[string, ...number[]]");
  });

  it("maps draft-07 array items with additionalItems to a tuple", () => {
    const closed = { type: "array", items: [{ type: "string" }, { type: "number" }], additionalItems: false };
    assert.equal(schemaToType({ ...closed, minItems: 2 }), "[string, number]");
    assert.equal(schemaToType({ type: "array", items: [{ type: "string" }] }), "[string?, ...unknown[]]");
    const open = { type: "array", items: [{ type: ["string", "null"] }], additionalItems: { type: "boolean" } };
    assert.equal(schemaToType(open), "[(string | null)?, ...boolean[]]");
  });
});

describe("schemaToTypes: $ref", () => {
  it("names a draft-07 definitions cycle once", () => {
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      definitions: {
        Node: {
          type: "object",
          description: "A tree node.",
          properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/definitions/Node" } } },
          required: ["name"],
        },
      },
      type: "object",
      properties: { tree: { $ref: "#/definitions/Node" } },
      required: ["tree"],
    };
    assert.deepEqual(schemaToTypes(schema, { namePrefix: "Walk" }), {
      type: "{\n  tree: WalkNode;\n}",
      isObject: true,
      definitions: [
        {
          name: "WalkNode",
          type: "{\n  name: string;\n  children?: WalkNode[];\n}",
          isObject: true,
          doc: ["A tree node."],
        },
      ],
      truncated: false,
    });
  });

  it("names a 2020-12 $defs tuple", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $defs: {
        Point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false, minItems: 2 },
      },
      type: "object",
      properties: { path: { type: "array", items: { $ref: "#/$defs/Point" } } },
      required: ["path"],
    };
    const result = schemaToTypes(schema, { namePrefix: "Draw" });
    assert.equal(result.type, "{\n  path: DrawPoint[];\n}");
    assert.deepEqual(result.definitions, [
      { name: "DrawPoint", type: "[number, number]", isObject: false, doc: ["@minItems 2"] },
    ]);
  });

  it("expands refs in place with schemaToType, a cycle becoming unknown", () => {
    const schema = {
      $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
      $ref: "#/$defs/Node",
    };
    assert.equal(schemaToType(schema, { compact: true }), "{ next?: unknown }");
  });

  it("refers to the root by rootName, also when the root is only a $ref", () => {
    const self = { type: "object", properties: { child: { $ref: "#" } } };
    assert.equal(schemaToTypes(self, { rootName: "TreeInput" }).type, "{\n  child?: TreeInput;\n}");
    const viaRef = {
      $ref: "#/$defs/Args",
      $defs: { Args: { type: "object", properties: { next: { $ref: "#/$defs/Args" } } } },
    };
    assert.deepEqual(schemaToTypes(viaRef, { namePrefix: "T", rootName: "TInput" }), {
      type: "{\n  next?: TInput;\n}",
      isObject: true,
      definitions: [],
      truncated: false,
    });
  });

  it("gives definitions names that avoid reserved names and each other", () => {
    const schema = {
      $defs: { Input: { type: "string" }, "input!": { type: "number" }, Promise: { type: "boolean" } },
      type: "object",
      properties: {
        a: { $ref: "#/$defs/Input" },
        b: { $ref: "#/$defs/input!" },
        c: { $ref: "#/$defs/Promise" },
      },
    };
    const result = schemaToTypes(schema, { reservedNames: new Set(["Input"]) });
    assert.deepEqual(
      result.definitions.map((d) => d.name),
      ["Input2", "Input3", "Promise2"],
    );
  });

  it("expands a ref at the top of a definition in place, so no definition aliases itself", () => {
    const schema = {
      $defs: { A: { $ref: "#/$defs/B" }, B: { anyOf: [{ $ref: "#/$defs/A" }, { type: "null" }] } },
      type: "object",
      properties: { x: { $ref: "#/$defs/A" } },
    };
    const result = schemaToTypes(schema, { namePrefix: "T" });
    assert.equal(result.type, "{\n  x?: TA;\n}");
    assert.deepEqual(result.definitions, [{ name: "TA", type: "unknown", isObject: false, doc: [] }]);
  });

  it("maps remote, missing and prototype refs to unknown and a false target to never", () => {
    const schema = {
      type: "object",
      properties: {
        x: { $ref: "https://example.com/s.json" },
        y: { $ref: "#/$defs/missing" },
        z: { $ref: "#/$defs/f" },
        p: { $ref: "#/__proto__" },
        c: { $ref: "#/constructor" },
      },
      $defs: { f: false },
    };
    assert.equal(
      schemaToType(schema, { compact: true }),
      "{ x?: unknown; y?: unknown; z?: never; p?: unknown; c?: unknown }",
    );
  });
});
