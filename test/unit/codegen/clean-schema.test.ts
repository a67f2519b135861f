import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleanSchemaText, MAX_SCHEMA_DEPTH } from "../../../src/codegen/clean-schema";
import { MAX_PROPERTY_DESCRIPTION } from "../../../src/codegen/schema-docs";

describe("cleanSchemaText", () => {
  it("cleans description, title and $comment at every level", () => {
    const schema = {
      title: "T\u200bitle",
      type: "object",
      properties: {
        a: { type: "string", description: "\x1b[31mred\x1b[0m\u202e" },
        b: { type: "array", items: { $comment: "hid\u{e0041}den" } },
      },
    };
    assert.deepEqual(cleanSchemaText(schema), {
      title: "Title",
      type: "object",
      properties: { a: { type: "string", description: "red" }, b: { type: "array", items: { $comment: "hidden" } } },
    });
  });

  it("keeps property names and instance data exactly as sent", () => {
    const schema = {
      properties: { description: { type: "string", enum: ["a\u200b", "b"], default: "a\u200b" }, title: { const: 1 } },
    };
    assert.deepEqual(cleanSchemaText(schema), schema);
  });

  it("caps long prose", () => {
    const out = cleanSchemaText({ description: "word ".repeat(50_000) }) as { description: string };
    assert.ok(out.description.length <= MAX_PROPERTY_DESCRIPTION);
  });

  it("keeps a property named __proto__ as an own key and never touches the prototype", () => {
    const schema = JSON.parse('{"properties":{"__proto__":{"type":"string","description":"x\\u200b"}}}');
    const out = cleanSchemaText(schema) as { properties: Record<string, unknown> };
    assert.equal(Object.getPrototypeOf(out.properties), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out.properties, "__proto__")?.value, {
      type: "string",
      description: "x",
    });
  });

  it("replaces what is nested deeper than the limit by a note instead of overflowing", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 100_000; i++) deep = { type: "array", items: deep };
    let node = cleanSchemaText(deep) as Record<string, unknown>;
    let depth = 0;
    while (node.items) {
      node = node.items as Record<string, unknown>;
      depth++;
    }
    assert.ok(depth <= MAX_SCHEMA_DEPTH + 1);
    assert.match(String(node.$comment), /truncated by the gateway/);
  });
});
