import { analyze } from "./analyze.js";
import { FIELD_NAMES, type FieldName, type RankerConfig } from "./ranker-config.js";
import type { SearchDoc } from "./search-types.js";

/**
 * Build side of the BM25F index. Each tool is split into fields (name, description, parameter names, parameter
 * text, server, tags); a term's frequencies are weighted and length-normalised per field, summed, then saturated
 * once (BM25F), so repeating a word across fields cannot outweigh one strong match in the name. The saturated value
 * per (term, tool) does not depend on the query, so it is computed here once and a query only multiplies by IDF.
 */

/** Tools containing one term, with the term's precomputed BM25F weight in each. */
export interface Postings {
  docs: Int32Array;
  weights: Float32Array;
}

/** Everything a query needs; immutable after `buildPostings`. */
export interface PostingsIndex {
  size: number;
  /** Term -> id, and per id: postings and IDF. */
  vocab: Map<string, number>;
  postings: Postings[];
  idf: Float64Array;
  /** Adjacent word pairs of names and descriptions ("weather forecast"), same layout. */
  bigramVocab: Map<string, number>;
  bigramPostings: Postings[];
  bigramIdf: Float64Array;
  /** IDF of a term no tool contains: what an unknown query word would weigh if it matched. */
  unseenIdf: number;
}

/** Fields whose adjacent words form phrases worth a bigram bonus (parameter lists are not prose). */
const PHRASE_FIELDS: readonly FieldName[] = ["name", "description"];

interface Builder {
  docs: number[];
  weights: number[];
}

/** Robertson/Lucene IDF, always positive so a word present in every tool still counts a little. */
export function idfOf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

function fieldTexts(doc: SearchDoc): Record<FieldName, string> {
  const params = doc.params ?? [];
  return {
    name: doc.name,
    description: doc.description ?? "",
    params: params.map((p) => p.name).join(" \n "),
    paramText: params.map((p) => p.description ?? "").join(" \n "),
    server: `${doc.server} \n ${doc.serverDescription ?? ""}`,
    tags: (doc.tags ?? []).join(" \n "),
  };
}

/** Analyzes every document and builds term and bigram postings with BM25F weights. */
export function buildPostings(docs: readonly SearchDoc[], config: RankerConfig): PostingsIndex {
  const n = docs.length;
  const analyzed = docs.map((doc) => {
    const texts = fieldTexts(doc);
    const fields = {} as Record<FieldName, string[]>;
    for (const f of FIELD_NAMES) fields[f] = analyze(texts[f]);
    return fields;
  });
  const avgLength = {} as Record<FieldName, number>;
  for (const f of FIELD_NAMES) {
    let total = 0;
    for (const a of analyzed) total += a[f].length;
    avgLength[f] = n > 0 ? Math.max(total / n, 1) : 1;
  }

  const vocab = new Map<string, number>();
  const bigramVocab = new Map<string, number>();
  const terms: Builder[] = [];
  const bigrams: Builder[] = [];
  const { k1 } = config;
  analyzed.forEach((fields, docId) => {
    // BM25F pseudo-frequency: per field, weight * tf / length normalisation, summed over fields.
    const pseudoTf = new Map<string, number>();
    for (const f of FIELD_NAMES) {
      const words = fields[f];
      if (words.length === 0) continue;
      const { weight, b } = config.fields[f];
      const perOccurrence = weight / (1 - b + (b * words.length) / avgLength[f]);
      for (const w of words) pseudoTf.set(w, (pseudoTf.get(w) ?? 0) + perOccurrence);
    }
    for (const [term, tf] of pseudoTf) add(builderFor(term, vocab, terms), docId, (tf * (k1 + 1)) / (tf + k1));

    // Bigrams are binary per tool, weighted by the strongest field they occur in.
    const pairs = new Map<string, number>();
    for (const f of PHRASE_FIELDS) {
      const words = fields[f];
      const { weight } = config.fields[f];
      for (let i = 0; i + 1 < words.length; i++) {
        if (words[i] === words[i + 1]) continue;
        const key = `${words[i]} ${words[i + 1]}`;
        pairs.set(key, Math.max(pairs.get(key) ?? 0, weight));
      }
    }
    for (const [pair, weight] of pairs) add(builderFor(pair, bigramVocab, bigrams), docId, weight);
  });

  return {
    size: n,
    vocab,
    postings: terms.map(freeze),
    idf: Float64Array.from(terms, (b) => idfOf(n, b.docs.length)),
    bigramVocab,
    bigramPostings: bigrams.map(freeze),
    bigramIdf: Float64Array.from(bigrams, (b) => idfOf(n, b.docs.length)),
    unseenIdf: idfOf(n, 0),
  };
}

function builderFor(key: string, vocab: Map<string, number>, builders: Builder[]): Builder {
  let id = vocab.get(key);
  if (id === undefined) {
    id = builders.length;
    vocab.set(key, id);
    builders.push({ docs: [], weights: [] });
  }
  return builders[id]!;
}

function add(builder: Builder, doc: number, weight: number): void {
  builder.docs.push(doc);
  builder.weights.push(weight);
}

function freeze(b: Builder): Postings {
  return { docs: Int32Array.from(b.docs), weights: Float32Array.from(b.weights) };
}
