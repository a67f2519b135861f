import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EmbeddingSearch, fuseRankings, type SearchDoc, searchDocText } from "../../../src/search/index";

/**
 * Deterministic fake embedding: counts of a few topic words, so similarities are known in advance. It stands in
 * for Workers AI, which the gateway injects.
 */
const TOPICS = ["weather", "issue", "file", "email"];
function fakeEmbed(calls: string[][]) {
  return async (texts: string[]) => {
    calls.push(texts);
    return texts.map((t) => TOPICS.map((topic) => t.toLowerCase().split(topic).length - 1));
  };
}

const docs: SearchDoc[] = [
  { key: "w", kind: "tool", server: "weather", name: "get_forecast", description: "Weather forecast by city." },
  { key: "i", kind: "tool", server: "github", name: "create_issue", description: "Open an issue." },
  { key: "f", kind: "tool", server: "files", name: "read_file", description: "Read a file." },
];

describe("EmbeddingSearch", () => {
  it("embeds documents in batches and ranks by cosine similarity", async () => {
    const calls: string[][] = [];
    const search = new EmbeddingSearch(fakeEmbed(calls), { batchSize: 2 });
    const stored = await search.addDocs(docs);
    assert.equal(search.size, 3);
    assert.equal(search.dimensions, 4);
    assert.deepEqual(
      calls.map((c) => c.length),
      [2, 1],
    );
    assert.deepEqual(
      stored.map((s) => s.key),
      ["w", "i", "f"],
    );

    const result = await search.search("file weather file");
    assert.equal(result.abstained, false);
    assert.deepEqual(
      result.hits.map((h) => h.key),
      ["f", "w", "i"],
    );
    // Query (1, 0, 2, 0); read_file's text only mentions "file": (0, 0, n, 0) -> cosine 2/√5.
    assert.ok(Math.abs(result.hits[0]!.score - 2 / Math.sqrt(5)) < 1e-6);
    assert.equal(result.hits[2]!.score, 0);
  });

  it("searches precomputed vectors with limit, filter and minScore", () => {
    const search = new EmbeddingSearch(async () => {
      throw new Error("not called");
    });
    search.add([
      { key: "a", vector: [1, 0] },
      { key: "b", vector: [1, 1] },
      { key: "c", vector: [0, 3] },
    ]);
    const keys = (r: { hits: Array<{ key: string }> }) => r.hits.map((h) => h.key);
    assert.deepEqual(keys(search.searchVector([2, 0])), ["a", "b", "c"]);
    assert.deepEqual(keys(search.searchVector([2, 0], { limit: 1 })), ["a"]);
    assert.deepEqual(keys(search.searchVector([2, 0], { filter: (k) => k !== "a" })), ["b", "c"]);
    assert.deepEqual(keys(search.searchVector([2, 0], { minScore: 0.5 })), ["a", "b"]);
    assert.deepEqual(search.searchVector([0, -1], { minScore: 0.1 }), { hits: [], abstained: true });
  });

  it("replaces a vector stored under the same key", () => {
    const search = new EmbeddingSearch(async (t) => t.map(() => [1]));
    search.add([{ key: "a", vector: [1, 0] }]);
    search.add([{ key: "a", vector: [0, 1] }]);
    assert.equal(search.size, 1);
    assert.equal(search.searchVector([0, 1]).hits[0]!.score, 1);
  });

  it("abstains when empty and rejects malformed vectors", async () => {
    const search = new EmbeddingSearch(async (texts) => texts.map(() => [1, 2, 3]));
    assert.deepEqual(await search.search("anything"), { hits: [], abstained: true });
    search.add([{ key: "a", vector: [1, 2, 3] }]);
    assert.throws(() => search.add([{ key: "b", vector: [1, 2] }]), /2 dimensions, expected 3/);
    assert.throws(() => search.add([{ key: "b", vector: [1, Number.NaN, 3] }]), /non-finite/);
    assert.throws(() => search.searchVector([]), /non-empty/);
    assert.throws(() => new EmbeddingSearch(async () => [], { batchSize: 0 }), RangeError);
  });

  it("rejects an embed function that returns the wrong number of vectors", async () => {
    const search = new EmbeddingSearch(async () => [[1]]);
    await assert.rejects(search.addDocs(docs), /returned 1 vectors for 3 texts/);
  });

  it("fuses with a lexical ranking through reciprocal rank fusion", async () => {
    const search = new EmbeddingSearch(fakeEmbed([]));
    await search.addDocs(docs);
    const semantic = (await search.search("weather")).hits;
    assert.deepEqual(
      semantic.map((h) => h.key),
      ["w", "i", "f"],
    );
    const lexical = [
      { key: "f", score: 3 },
      { key: "w", score: 2 },
    ];
    // w: 1/62 + 1/61, f: 1/61 + 1/63, i: 1/62.
    assert.deepEqual(
      fuseRankings(lexical, semantic).map((h) => h.key),
      ["w", "f", "i"],
    );
  });
});

describe("searchDocText", () => {
  it("spells out the name and the description, leaving parameters and server to the lexical ranker", () => {
    const text = searchDocText({
      key: "k",
      kind: "tool",
      server: "github",
      name: "createIssue",
      description: "Open an issue.",
      params: [{ name: "repo" }, { name: "title" }],
    });
    assert.equal(text, "create issue (createIssue)\nOpen an issue.");
  });
});
