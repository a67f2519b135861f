import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SizedLru } from "../../../src/shared/sized-lru";

describe("SizedLru", () => {
  test("evicts the least recently used entry when the count bound is passed", () => {
    const lru = new SizedLru<number>({ maxEntries: 3, maxSize: 1_000 });
    lru.set("a", 1, 1);
    lru.set("b", 2, 1);
    lru.set("c", 3, 1);
    assert.equal(lru.get("a"), 1, "a is now the most recently used");
    lru.set("d", 4, 1);
    assert.deepEqual(
      ["a", "b", "c", "d"].filter((k) => lru.has(k)),
      ["a", "c", "d"],
    );
    assert.equal(lru.count, 3);
  });

  test("evicts least recently used entries until the size bound holds", () => {
    const lru = new SizedLru<string>({ maxEntries: 100, maxSize: 100 });
    lru.set("small1", "x", 10);
    lru.set("small2", "y", 10);
    lru.set("big1", "z", 60);
    lru.get("small1");
    lru.set("big2", "w", 50);
    // small2 then big1 go (oldest first); small1 was used since.
    assert.deepEqual(
      ["small1", "small2", "big1", "big2"].filter((k) => lru.has(k)),
      ["small1", "big2"],
    );
    assert.equal(lru.size, 60);
  });

  test("does not keep an entry larger than the whole budget, and keeps the others", () => {
    const lru = new SizedLru<number>({ maxEntries: 10, maxSize: 100 });
    lru.set("a", 1, 50);
    lru.set("huge", 2, 101);
    assert.equal(lru.has("huge"), false);
    assert.equal(lru.get("a"), 1);
    assert.equal(lru.size, 50);
  });

  test("replacing a key counts its new size only", () => {
    const lru = new SizedLru<number>({ maxEntries: 10, maxSize: 100 });
    lru.set("a", 1, 70);
    lru.set("a", 2, 20);
    lru.set("b", 3, 70);
    assert.equal(lru.get("a"), 2);
    assert.equal(lru.size, 90);
  });

  test("keeps a cached null or other falsy value as a hit", () => {
    const lru = new SizedLru<number | null>({ maxEntries: 10, maxSize: 100 });
    lru.set("n", null, 1);
    assert.equal(lru.get("n"), null);
    assert.equal(lru.get("missing"), undefined);
  });

  test("keys are data: __proto__ and constructor are ordinary keys", () => {
    const lru = new SizedLru<number>({ maxEntries: 10, maxSize: 100 });
    lru.set("__proto__", 1, 1);
    lru.set("constructor", 2, 1);
    assert.equal(lru.get("__proto__"), 1);
    assert.equal(lru.get("constructor"), 2);
    assert.equal(lru.get("toString"), undefined);
  });
});
