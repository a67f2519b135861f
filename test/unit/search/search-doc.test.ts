import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toSearchDoc } from "../../../src/search/index";

describe("toSearchDoc", () => {
  it("takes params from top-level properties, with descriptions and enum values", () => {
    const doc = toSearchDoc({
      key: "weather/get_forecast",
      server: "weather",
      serverDescription: "Weather data",
      name: "get_forecast",
      description: "Daily forecast.",
      inputSchema: {
        type: "object",
        properties: {
          city: { type: "string", description: "City name" },
          units: { type: "string", enum: ["metric", "imperial"] },
          days: { type: "integer", title: "Days", description: "How many days" },
          raw: {},
        },
      },
    });
    assert.deepEqual(doc, {
      key: "weather/get_forecast",
      kind: "tool",
      server: "weather",
      serverDescription: "Weather data",
      name: "get_forecast",
      description: "Daily forecast.",
      params: [
        { name: "city", description: "City name" },
        { name: "units", description: "metric, imperial" },
        { name: "days", description: "Days. How many days" },
        { name: "raw" },
      ],
    });
  });

  it("adds properties nested one level down (objects and arrays of objects)", () => {
    const doc = toSearchDoc({
      key: "k",
      server: "s",
      name: "search_movies",
      inputSchema: {
        type: "object",
        properties: {
          filters: {
            type: "object",
            properties: {
              genre: { type: "string", enum: ["comedy", "horror"] },
              deeper: { type: "object", properties: { ignored: { type: "string" } } },
            },
          },
          cast: { type: "array", items: { type: "object", properties: { actor: { description: "Actor name" } } } },
        },
      },
    });
    assert.deepEqual(
      doc.params?.map((p) => p.name),
      ["filters", "genre", "deeper", "cast", "actor"],
    );
    assert.equal(doc.params?.find((p) => p.name === "genre")?.description, "comedy, horror");
  });

  it("tolerates missing, boolean and malformed schemas", () => {
    for (const inputSchema of [undefined, true, null, "x", { properties: [] }, { properties: { a: 5 } }]) {
      const doc = toSearchDoc({ key: "k", server: "s", name: "n", inputSchema });
      assert.equal(doc.name, "n");
      assert.ok(doc.params === undefined || doc.params.every((p) => typeof p.name === "string"));
    }
  });

  it("caps huge enums and keeps kind and tags when given", () => {
    const values = Array.from({ length: 100 }, (_, i) => `v${i}`);
    const doc = toSearchDoc({
      key: "k",
      server: "s",
      name: "n",
      kind: "skill",
      tags: ["a", "b"],
      inputSchema: { type: "object", properties: { code: { enum: values } } },
    });
    assert.equal(doc.kind, "skill");
    assert.deepEqual(doc.tags, ["a", "b"]);
    assert.equal(doc.params?.[0]?.description?.split(", ").length, 24);
  });
});
