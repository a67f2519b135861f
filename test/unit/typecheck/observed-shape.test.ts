import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mergeShapes, renderShape, type Shape, shapeOf } from "../../../src/typecheck/observed-shape";

const observe = (...values: unknown[]): string =>
  renderShape(values.reduce<Shape>((shape, v) => mergeShapes(shape, shapeOf(v)), {}));

describe("observed output types", () => {
  test("an object's properties are typed by shape, never by value", () => {
    assert.equal(observe({ name: "a.txt", size: 3, dir: false }), "{ dir: boolean; name: string; size: number }");
  });

  test("a property missing from some results is optional", () => {
    assert.equal(observe({ a: 1, b: "x" }, { a: 2 }), "{ a: number; b?: string }");
  });

  test("primitives seen in different results become a union", () => {
    assert.equal(observe({ v: 1 }, { v: "one" }, { v: null }), "{ v: null | number | string }");
  });

  test("array elements are merged into one element type", () => {
    assert.equal(
      observe({ entries: [{ name: "a", size: 1 }, { name: "b" }] }),
      "{ entries: Array<{ name: string; size?: number }> }",
    );
  });

  test("an empty array is unknown[] until an element is seen", () => {
    assert.equal(observe([]), "Array<unknown>");
    assert.equal(observe([], ["x"]), "Array<string>");
  });

  test("keys that are data (file names, addresses) become Record<string, T>", () => {
    assert.equal(observe({ "a.txt": { size: 1 }, "b.md": { size: 2 } }), "Record<string, { size: number }>");
    assert.equal(observe({ "bob@example.com": 3 }), "Record<string, number>");
  });

  test("keys that vary between results become Record<string, T>", () => {
    assert.equal(
      observe({ alpha: 1, beta: 2, gamma: 3, delta: 4 }, { eps: 1, zeta: 2, eta: 3, theta: 4 }),
      "Record<string, number>",
    );
  });

  test("more distinct keys than the cap collapse to a record", () => {
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    assert.equal(observe(wide), "any");
    const a = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`a${i}`, i]));
    const b = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`b${i}`, i]));
    assert.equal(observe(a, b), "Record<string, number>");
  });

  test("nesting beyond the depth cap is any", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    assert.match(observe(deep), /^\{ d: \{ d: .*any.* \} \}$/);
  });

  test("a text result is string", () => {
    assert.equal(observe("hello", "world"), "string");
  });
});
