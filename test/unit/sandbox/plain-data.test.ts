/**
 * The sandbox's plain-data check of tool arguments (worker-loader/plain-data.js toPlain), run in Node: the copy, the
 * errors and their paths, the steps charged, and every value (getter, proxy trap) read once.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
// @ts-expect-error plain JavaScript loaded into the sandbox isolate; its .d.ts describes the text import instead.
import { MAX_PLAIN_CHARS, toPlain } from "../../../worker-loader/plain-data.js";

type Spend = (n: number) => void;
const copyOf = toPlain as (value: unknown, spend: Spend) => Record<string, unknown>;

/** The copy and the steps charged, call by call. */
function plain(value: unknown): { copy: Record<string, unknown>; spent: number[] } {
  const spent: number[] = [];
  return { copy: copyOf(value, (n) => spent.push(n)), spent };
}

function refusal(value: unknown): string {
  try {
    copyOf(value, () => {});
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail("the value was accepted");
}

describe("toPlain (the sandbox's check of tool arguments)", () => {
  it("copies an object of JSON primitives into a prototype-less object, __proto__ as an own key", () => {
    const args = JSON.parse('{"path":"/a","n":1.5,"ok":true,"none":null,"__proto__":"text"}');
    const { copy, spent } = plain(args);
    assert.equal(Object.getPrototypeOf(copy), null);
    assert.deepEqual(Object.keys(copy), ["path", "n", "ok", "none", "__proto__"]);
    assert.equal(JSON.stringify(copy), JSON.stringify(args));
    // Six values (the object and five), 4 + 4 + 1 + 2 + 1 + 4 + 2 + 4 + 9 + 4 = 35 characters: the final charge only.
    assert.deepEqual(spent, [0]);
  });

  it("charges a step every 16 values it visits and for what the serialization will do", () => {
    const args = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "x".repeat(100)]));
    const { spent } = plain(args);
    // 41 values visited: steps at the 16th and 32nd; then 41 / 16 values and (40 * 2 + 30 + 40 * 100) / 64 characters.
    const chars = 40 * 2 + 30 + 40 * 100;
    assert.deepEqual(spent, [1, 1, Math.floor(41 / 16) + Math.floor(chars / 64)]);
    assert.deepEqual(plain({ ...args, nested: { deep: [1, 2, 3] } }).spent.length, 3);
  });

  it("reads every value once, also around a nested object", () => {
    const reads: string[] = [];
    const args = {};
    for (const key of ["a", "b", "c", "d"]) {
      Object.defineProperty(args, key, {
        enumerable: true,
        get() {
          reads.push(key);
          return key === "c" ? { inner: [key] } : key;
        },
      });
    }
    assert.equal(JSON.stringify(plain(args).copy), '{"a":"a","b":"b","c":{"inner":["c"]},"d":"d"}');
    assert.deepEqual(reads, ["a", "b", "c", "d"]);
  });

  it("keeps a shared object shared and refuses a cycle through the top level", () => {
    const shared = { x: 1 };
    const { copy } = plain({ first: 1, a: shared, b: shared });
    assert.equal(copy.a, copy.b);
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    assert.equal(refusal(cyclic), "/self: cyclic structure");
    const deeper: Record<string, unknown> = { name: "loop", list: [] };
    (deeper.list as unknown[]).push({ back: deeper });
    assert.equal(refusal(deeper), "/list/0/back: cyclic structure");
  });

  it("names what JSON cannot carry by its path, at the top level as below it", () => {
    class Point {
      x = 1;
    }
    assert.equal(refusal({ ok: 1, n: Number.NaN }), "/n: NaN is not a JSON number");
    assert.equal(refusal({ n: Number.POSITIVE_INFINITY }), "/n: Infinity is not a JSON number");
    assert.equal(refusal({ f: () => 1 }), "/f: functions cannot be passed to tools");
    assert.equal(refusal({ b: 1n }), "/b: BigInt is not JSON; pass it as a string or number");
    assert.equal(refusal({ s: Symbol("s") }), "/s: symbols cannot be passed to tools");
    assert.match(refusal(new Point()), /^\/: Point is not plain JSON/);
    assert.match(refusal({ ok: "yes", at: new Point() }), /^\/at: Point is not plain JSON/);
    assert.match(refusal({ list: [new Date(0)] }), /^\/list\/0: Date is not plain JSON/);
  });

  it("starts a gateway operation's refusal with the call and says what the value cannot be", () => {
    const state = toPlain as (value: unknown, spend: Spend, prefix: string, target: string) => unknown;
    const refused = (value: unknown) => {
      try {
        state(value, () => {}, 'state.set("k", value): ', "stored in state");
      } catch (err) {
        return (err as Error).message;
      }
      assert.fail("the value was accepted");
    };
    assert.equal(refused({ value: () => 1 }), 'state.set("k", value): /value: functions cannot be stored in state');
    assert.equal(refused({ value: [Symbol()] }), 'state.set("k", value): /value/0: symbols cannot be stored in state');
    assert.equal(
      refused({ value: new Map() }).startsWith('state.set("k", value): /value: Map is not plain JSON'),
      true,
    );
    // A Date is said with its conversion, also when Date's instanceof is tampered with.
    Object.defineProperty(Date, Symbol.hasInstance, { value: () => false, configurable: true });
    try {
      assert.equal(
        refused({ value: { at: new Date(0) } }),
        'state.set("k", value): /value/at: Date is not plain JSON: convert it first, date.toISOString() for text (new Date(text) reads it back) or date.getTime() for milliseconds',
      );
    } finally {
      delete (Date as unknown as Record<symbol, unknown>)[Symbol.hasInstance];
    }
  });

  it("names a deep refusal by both ends of its path, not hundreds of characters of it", () => {
    let deep: unknown = { f: () => 1 };
    for (let i = 0; i < 150; i++) deep = [deep];
    const message = refusal({ a: deep });
    assert.match(message, /^\/a(\/0){29}…(\/0){29}\/f: functions cannot be passed to tools$/);
    assert.ok(message.length < 200, message);
  });

  it("refuses arguments past the character cap, at the top level as below it", () => {
    const big = "x".repeat(MAX_PLAIN_CHARS);
    assert.match(refusal({ text: big }), /^\/: serialized, this value holds more than/);
    assert.match(refusal({ inner: { text: big } }), /^\/inner: serialized, this value holds more than/);
  });

  it("copies what is not a plain object at the top level with the walk", () => {
    assert.deepEqual(plain([1, { a: "b" }]).copy, [1, { __proto__: null, a: "b" }]);
    assert.equal(plain("text").copy, "text");
    assert.equal(plain(null).copy, null);
  });
});
