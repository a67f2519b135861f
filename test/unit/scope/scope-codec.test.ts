/** worker-loader/scope-codec.js: what a carried variable can hold, and what it refuses (it runs in the sandbox). */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as codecModule from "../../../worker-loader/scope-codec.js";

/** The module's real exports (its .d.ts describes the text import the executor uses). */
interface Codec {
  encodeScopeValue(value: unknown, budget: { nodes: number; max: number }, charge: (n: number) => void): string;
  decodeScopeValue(text: string): unknown;
  Unstorable: new (message: string) => Error;
}
const { decodeScopeValue, encodeScopeValue, Unstorable } = codecModule as unknown as Codec;

const roundTrip = (value: unknown): unknown => {
  const budget = { nodes: 100_000, max: 100_000 };
  return decodeScopeValue(encodeScopeValue(value, budget, () => {}));
};

test("JSON values, undefined, NaN, Infinity, -0 and BigInt survive a round trip", () => {
  const value = { a: [1, "x", true, null], u: undefined, n: Number.NaN, i: -Infinity, z: -0, b: 12345678901234567890n };
  const back = roundTrip(value) as typeof value;
  assert.deepEqual(back.a, [1, "x", true, null]);
  assert.ok(Object.hasOwn(back, "u") && back.u === undefined);
  assert.ok(Number.isNaN(back.n));
  assert.equal(back.i, -Infinity);
  assert.ok(Object.is(back.z, -0));
  assert.equal(back.b, 12345678901234567890n);
});

test("Date, Map, Set, RegExp and typed arrays survive a round trip", () => {
  const back = roundTrip({
    d: new Date(86_400_000),
    bad: new Date(Number.NaN),
    m: new Map<unknown, unknown>([
      ["k", new Set([1, 2])],
      [3, { x: 1 }],
    ]),
    r: /a+b/giu,
    t: new Float64Array([1.5, -2]),
    u: new Uint8Array([0, 255, 7]),
  }) as Record<string, any>;
  assert.equal(back.d.getTime(), 86_400_000);
  assert.ok(Number.isNaN(back.bad.getTime()));
  assert.deepEqual([...back.m.get("k")], [1, 2]);
  assert.deepEqual(back.m.get(3), { x: 1 });
  assert.equal(back.r.source, "a+b");
  assert.equal(back.r.flags, "giu");
  assert.ok(back.t instanceof Float64Array);
  assert.deepEqual([...back.t], [1.5, -2]);
  assert.deepEqual([...back.u], [0, 255, 7]);
});

test("an object with a $cg key or a __proto__ key stays plain data", () => {
  const tricky = JSON.parse('{"$cg":"undef","__proto__":{"polluted":true},"constructor":1}');
  const back = roundTrip(tricky) as Record<string, unknown>;
  assert.equal(back.$cg, "undef");
  assert.ok(Object.hasOwn(back, "__proto__"));
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(back.constructor, 1);
});

test("functions, promises, cycles and class instances are refused with the reason", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  class Point {}
  const cases: Array<[unknown, RegExp]> = [
    [() => 1, /function value/],
    [Promise.resolve(1), /promise/],
    [cyclic, /cycle/],
    [new Point(), /^it holds an instance of Point \(carry plain data/],
    [new AggregateError([]), /^it holds an instance of AggregateError \(/],
    [Object.create({ constructor: { name: "x".repeat(1_000) } }), /^it holds an instance of x{100}… \(/],
    [Symbol("s"), /symbol/],
  ];
  for (const [value, reason] of cases) {
    assert.throws(
      () => encodeScopeValue(value, { nodes: 1000, max: 1000 }, () => {}),
      (err: Error) => {
        assert.ok(err instanceof Unstorable);
        assert.match(err.message, reason);
        return true;
      },
    );
  }
});

test("a DAG of shared references is charged per path and stops at the node cap", () => {
  let n: Record<string, unknown> = { v: 1 };
  for (let i = 0; i < 40; i++) n = { a: n, b: n };
  let charged = 0;
  assert.throws(
    () =>
      encodeScopeValue(n, { nodes: 10_000, max: 10_000 }, (k) => {
        charged += k;
      }),
    /more than 10000 parts/,
  );
  assert.ok(charged < 40_000, `charged ${charged}`);
});

test("charge() throwing (the step budget spent) stops the walk", () => {
  const big = Array.from({ length: 1000 }, (_, i) => ({ i }));
  let calls = 0;
  assert.throws(
    () =>
      encodeScopeValue(big, { nodes: 1e6, max: 1e6 }, () => {
        if (++calls > 10) throw new RangeError("budget");
      }),
    RangeError,
  );
});
