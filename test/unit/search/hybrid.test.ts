import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { localEmbedder } from "../../../scripts/local-embedder";
import {
  buildSearchIndex,
  calibrateMinScore,
  EmbeddingSearch,
  hybridSearch,
  OFF_TOPIC_PROBES,
  RESCUE_MARGIN,
  type SearchIndex,
  toSearchDoc,
} from "../../../src/search/index";

/**
 * The hybrid search with a real embedding model (Universal Sentence Encoder lite, shipped in an npm package and run
 * locally), in place of the Workers AI model the gateway uses when deployed. Assertions about the abstention rule
 * derive their thresholds from the model's own similarities, so they test the rule, not the model's exact numbers.
 */
const TOOLS: Array<[string, string]> = [
  ["get_weather", "Current weather and forecast for a city."],
  ["send_email", "Send an email message to a recipient."],
  ["create_calendar_event", "Create an event in the user's calendar at a date and time."],
  ["read_file", "Read a text file from the workspace."],
  ["get_stock_price", "Latest trading price of a stock ticker."],
  ["translate_text", "Translate text between languages."],
  ["search_flights", "Search one-way flights between two airports on a date."],
  ["play_song", "Play a song or album on the user's music speaker."],
  ["order_food", "Order food for delivery from a restaurant."],
];
const docs = TOOLS.map(([name, description]) => toSearchDoc({ key: name, server: "demo", name, description }));
const embed = localEmbedder("use-lite");

let lexical: SearchIndex;
let semantic: EmbeddingSearch;

before(async () => {
  lexical = buildSearchIndex(docs);
  semantic = new EmbeddingSearch(embed);
  await semantic.addDocs(docs);
});

const keys = (r: { hits: Array<{ key: string }> }) => r.hits.map((h) => h.key);

async function similarityTo(query: string, key: string): Promise<number> {
  const [vector] = await embed([query]);
  return semantic.similarity(vector!, key)!;
}

describe("hybridSearch", () => {
  it("ranks the tool a request names first, fusing both rankings", async () => {
    const r = await hybridSearch(lexical, semantic, "send an email to Bob about lunch", { limit: 3, minScore: 0 });
    assert.equal(r.abstained, false);
    assert.equal(keys(r)[0], "send_email");
    assert.equal(r.hits.length, 3);
  });

  it("finds a tool by meaning when no word matches, on a higher bar", async () => {
    const query = "put on some relaxing tunes";
    assert.equal(lexical.search(query).abstained, true, "precondition: no word of the query matches");
    const similarity = await similarityTo(query, "play_song");
    const found = await hybridSearch(lexical, semantic, query, {
      limit: 3,
      minScore: similarity - RESCUE_MARGIN - 0.01,
    });
    assert.equal(keys(found)[0], "play_song");
    // A tool only the meaning vouches for must clear the floor by RESCUE_MARGIN.
    const refused = await hybridSearch(lexical, semantic, query, {
      limit: 3,
      minScore: similarity - RESCUE_MARGIN + 0.01,
    });
    assert.deepEqual(refused, { hits: [], abstained: true });
  });

  it("abstains when the words match but the meaning does not", async () => {
    const query = "What is the price of freedom according to philosophers?";
    const words = lexical.search(query, { limit: 3 });
    assert.equal(words.abstained, false, "precondition: 'price' matches a tool lexically");
    const top = words.hits[0]!.key;
    assert.equal(top, "get_stock_price");
    const similarity = await similarityTo(query, top);
    const vetoed = await hybridSearch(lexical, semantic, query, { limit: 3, minScore: similarity + 0.01 });
    assert.deepEqual(vetoed, { hits: [], abstained: true });
    const kept = await hybridSearch(lexical, semantic, query, { limit: 3, minScore: similarity - 0.01 });
    assert.equal(kept.abstained, false);
  });

  it("keeps the filter and the limit", async () => {
    const r = await hybridSearch(lexical, semantic, "send an email", {
      limit: 2,
      minScore: -1,
      filter: (key) => key !== "send_email",
    });
    assert.equal(r.hits.length, 2);
    assert.ok(!keys(r).includes("send_email"));
  });
});

describe("calibrateMinScore", () => {
  it("is the median similarity of each off-topic probe's best tool", async () => {
    const vectors = await embed([...OFF_TOPIC_PROBES]);
    const best = vectors.map((v) => Math.max(...docs.map((d) => semantic.similarity(v, d.key)!))).sort((a, b) => a - b);
    const mid = best.length / 2;
    const median = best.length % 2 ? best[Math.floor(mid)]! : (best[mid - 1]! + best[mid]!) / 2;
    const floor = await calibrateMinScore(semantic);
    assert.ok(Math.abs(floor - median) < 1e-6, `${floor} vs ${median}`);
    assert.ok(floor > -1 && floor < 1);
  });

  it("with this floor, a request is answered and an off-topic question is not", async () => {
    const minScore = await calibrateMinScore(semantic);
    const flight = await hybridSearch(lexical, semantic, "find me a flight from Boston to Denver on May 3", {
      limit: 3,
      minScore,
    });
    assert.equal(keys(flight)[0], "search_flights");
    const offTopic = await hybridSearch(lexical, semantic, "What is the mating process of lions?", {
      limit: 3,
      minScore,
    });
    assert.deepEqual(offTopic, { hits: [], abstained: true });
  });

  it("is 0 for an empty index, without calling the model", async () => {
    const empty = new EmbeddingSearch(async () => {
      throw new Error("must not embed");
    });
    assert.equal(await calibrateMinScore(empty), 0);
  });
});
