import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fuseRankings, type SearchHit } from "../../../src/search/index";
import { selectTop } from "../../../src/search/top-k";

const hits = (...keys: string[]): SearchHit[] => keys.map((key, i) => ({ key, score: 100 - i }));

describe("fuseRankings", () => {
  it("sums 1 / (k + rank) over both lists", () => {
    const fused = fuseRankings(hits("a", "b", "c"), hits("c", "a", "d"), 60);
    assert.deepEqual(
      fused.map((h) => h.key),
      ["a", "c", "b", "d"],
    );
    assert.equal(fused[0]!.score, 1 / 61 + 1 / 62);
    assert.equal(fused[1]!.score, 1 / 63 + 1 / 61);
    assert.equal(fused[2]!.score, 1 / 62);
    assert.equal(fused[3]!.score, 1 / 63);
  });

  it("ignores the input scores: only ranks matter", () => {
    const lexical = [
      { key: "a", score: 1000 },
      { key: "b", score: 0.001 },
    ];
    const semantic = [
      { key: "b", score: 0.9 },
      { key: "a", score: 0.1 },
    ];
    const fused = fuseRankings(lexical, semantic);
    assert.equal(fused[0]!.score, fused[1]!.score);
    // Equal fused scores keep first-appearance order (lexical first).
    assert.deepEqual(
      fused.map((h) => h.key),
      ["a", "b"],
    );
  });

  it("handles empty lists and counts a duplicated key once per list", () => {
    assert.deepEqual(fuseRankings([], []), []);
    assert.deepEqual(
      fuseRankings([], hits("x", "y")).map((h) => h.key),
      ["x", "y"],
    );
    const fused = fuseRankings(hits("a", "a", "b"), []);
    assert.deepEqual(
      fused.map((h) => [h.key, h.score]),
      [
        ["a", 1 / 61],
        ["b", 1 / 63],
      ],
    );
  });

  it("lets k trade head weight for consensus", () => {
    // With a small k the lexical #1 wins; with a large k the key both lists rank 2nd wins.
    const lexical = hits("solo", "both");
    const semantic = hits("other", "both");
    assert.equal(fuseRankings(lexical, semantic, 0)[0]!.key, "solo");
    assert.equal(fuseRankings(lexical, semantic, 60)[0]!.key, "both");
  });

  it("rejects a negative or non-finite k", () => {
    assert.throws(() => fuseRankings([], [], -1), RangeError);
    assert.throws(() => fuseRankings([], [], Number.NaN), RangeError);
  });
});

describe("selectTop", () => {
  it("returns the best k ids, ties to the lower id, skipping rejected ids", () => {
    const scores = Float64Array.from([1, 5, 3, 5, 0, 4]);
    assert.deepEqual(selectTop([0, 1, 2, 3, 4, 5], scores, 3), [1, 3, 5]);
    assert.deepEqual(selectTop([5, 4, 3, 2, 1, 0], scores, 10), [1, 3, 5, 2, 0, 4]);
    assert.deepEqual(
      selectTop([0, 1, 2, 3, 4, 5], scores, 2, (id) => id !== 1),
      [3, 5],
    );
    assert.deepEqual(selectTop([0, 1], scores, 0), []);
  });
});
