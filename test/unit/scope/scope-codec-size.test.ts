/**
 * worker-loader/scope-codec.js with a size limit (`budget.bytes`): a value whose encoding is longer is refused with
 * TooLarge, a huge one before it is encoded, and the walk's running count never refuses one that fits.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as codecModule from "../../../worker-loader/scope-codec.js";

interface Codec {
  encodeScopeValue(
    value: unknown,
    budget: { nodes: number; max: number; bytes?: number },
    charge: (n: number) => void,
  ): string;
  Unstorable: new (message: string) => Error;
  TooLarge: new (atLeast: number) => Error & { atLeast: number };
}
const { encodeScopeValue, TooLarge, Unstorable } = codecModule as unknown as Codec;

const encode = (value: unknown, bytes?: number) =>
  encodeScopeValue(value, { nodes: 100_000, max: 100_000, ...(bytes === undefined ? {} : { bytes }) }, () => {});

test("a value whose encoding is exactly the limit is kept; one character over is refused", () => {
  const values: unknown[] = [
    "",
    "abc",
    'quote " and \\ and \n and \u0001',
    "é and 漢字 and 😀",
    0,
    -0,
    Number.NaN,
    123.456e-7,
    true,
    false,
    null,
    undefined,
    12345678901234567890n,
    [],
    [1, "two", [3, [4]], null, undefined],
    {},
    { a: 1, "key with space": [true, false], nested: { $cg: "x", __proto__: 1 } },
    Object.assign(Object.create(null), { z: "zz" }),
    new Date(86_400_000),
    new Date(Number.NaN),
    /a+"b/giu,
    new Map<unknown, unknown>([
      ["k", new Set([1, 2])],
      [3, { x: 1 }],
    ]),
    new Set(),
    new Uint8Array([0, 255, 7]),
    new Float64Array([1.5, -2]),
    new BigInt64Array([1n]),
    new Uint8Array(0),
    new ArrayBuffer(5),
    { rows: Array.from({ length: 50 }, (_, i) => ({ id: i, text: "y".repeat(i) })) },
  ];
  for (const value of values) {
    const json = encode(value);
    assert.equal(encode(value, json.length), json, json);
    assert.throws(() => encode(value, json.length - 1), TooLarge, json);
  }
});

test("a huge string or typed array is refused by its length, before it is encoded", () => {
  const s = "x".repeat(4e7);
  const started = Date.now();
  const err = (() => {
    try {
      encode({ s }, 1024 * 1024);
    } catch (e) {
      return e as Error & { atLeast: number };
    }
  })();
  assert.ok(err instanceof TooLarge && err instanceof Unstorable);
  assert.ok(err.atLeast > 4e7, String(err.atLeast));
  assert.throws(() => encode(new Uint8Array(2e8), 1024 * 1024), TooLarge);
  assert.throws(() => encode(new ArrayBuffer(2e8), 1024 * 1024), TooLarge);
  // Nothing of the 40 MB was copied: well under the time one copy of it takes on a slow machine.
  assert.ok(Date.now() - started < 2_000);
});

test("a large array of objects stops once the count passes the limit, without visiting the rest", () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, text: "y".repeat(4_000) }));
  const budget = { nodes: 100_000, max: 100_000, bytes: 1024 * 1024 };
  let charged = 0;
  assert.throws(
    () =>
      encodeScopeValue(rows, budget, (n) => {
        charged += n;
      }),
    TooLarge,
  );
  // About 1 MiB / 4 KB rows visited (3 nodes each), not 30,000 nodes.
  assert.ok(100_000 - budget.nodes < 1_000, String(100_000 - budget.nodes));
  assert.ok(charged < 20_000, String(charged));
});

test("a limit of 0 refuses everything; no limit keeps the old behaviour", () => {
  assert.throws(() => encode(1, 0), TooLarge);
  assert.equal(encode("x".repeat(100)), JSON.stringify("x".repeat(100)));
});
