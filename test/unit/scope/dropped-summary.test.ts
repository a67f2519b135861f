import assert from "node:assert/strict";
import { test } from "node:test";
import { renderDropped, summarizeDropped } from "../../../src/scope/dropped-summary";

const named = (n: number, reason: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => ({ name: `v${i}`, reason: reason(i) }));

test("20 dropped bindings or fewer are listed whole, without counts", () => {
  const all = named(20, () => "not kept: a function value");
  assert.deepEqual(summarizeDropped(all), { dropped: all });
  assert.equal(renderDropped(summarizeDropped(all)).length, 20);
});

test("past 20, the rest are counted per reason, most frequent first, the rarer ten and on as one count", () => {
  // 20 listed, then 100 of "a", 50 of "b", and 30 reasons of one binding each (a value's own error text).
  const all = [
    ...named(20, () => "not kept: first"),
    ...named(100, () => "not kept: a"),
    ...named(50, () => "b"),
    ...named(30, (i) => `not kept: odd ${i}`),
  ];
  const s = summarizeDropped(all);
  assert.equal(s.dropped.length, 20);
  assert.equal(s.dropped_total, 200);
  assert.equal(s.dropped_more?.length, 11);
  assert.deepEqual(s.dropped_more?.slice(0, 3), [
    { reason: "not kept: a", count: 100 },
    { reason: "b", count: 50 },
    { reason: "not kept: odd 0", count: 1 },
  ]);
  assert.deepEqual(s.dropped_more?.at(-1), { reason: null, count: 22 });
  assert.equal(
    renderDropped(s).at(-1),
    "  and 180 more: 100 a; 50 b; 1 odd 0; 1 odd 1; 1 odd 2; 1 odd 3; 1 odd 4; 1 odd 5; 1 odd 6; 1 odd 7; 22 for other reasons",
  );
});

test("reasons named like Object.prototype members are counted as data", () => {
  const all = [...named(20, () => "x"), ...named(3, () => "__proto__"), ...named(2, () => "constructor")];
  assert.deepEqual(summarizeDropped(all).dropped_more, [
    { reason: "__proto__", count: 3 },
    { reason: "constructor", count: 2 },
  ]);
});
