import { termOf } from "./analyze";
import { FIELD_NAMES, type FieldName, type RankerConfig } from "./ranker-config";
import type { SearchDoc } from "./search-types";
import { tokenize } from "./tokenize";

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
  /** Adjacent word pairs of names and descriptions ("weather forecast"): first id -> second id -> bigram id. */
  bigramIds: Map<number, Map<number, number>>;
  bigramPostings: Postings[];
  bigramIdf: Float64Array;
  /** IDF of a term exactly one tool contains: the unit of match strength, for abstention. */
  rareIdf: number;
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

/** Id of the bigram (first, second) in `bigramIds`, or undefined when the pair occurs in no tool. */
export function bigramId(index: PostingsIndex, first: string, second: string): number | undefined {
  const a = index.vocab.get(first);
  const b = index.vocab.get(second);
  return a === undefined || b === undefined ? undefined : index.bigramIds.get(a)?.get(b);
}

/** Analyzes every document and builds term and bigram postings with BM25F weights. */
export function buildPostings(docs: readonly SearchDoc[], config: RankerConfig): PostingsIndex {
  const n = docs.length;
  const vocab = new Map<string, number>();
  const terms: Builder[] = [];
  const idOf = (term: string): number => {
    let id = vocab.get(term);
    if (id === undefined) {
      id = terms.length;
      vocab.set(term, id);
      terms.push({ docs: [], weights: [] });
    }
    return id;
  };
  // Token -> term id (-1 for a stop-word), local to this build: one map lookup per token instead of stemming.
  const tokenIds = new Map<string, number>();
  const analyzeToIds = (text: string): Int32Array => {
    const tokens = tokenize(text);
    const ids = new Int32Array(tokens.length);
    let length = 0;
    for (const token of tokens) {
      let id = tokenIds.get(token);
      if (id === undefined) {
        const term = termOf(token);
        id = term ? idOf(term) : -1;
        tokenIds.set(token, id);
      }
      if (id >= 0) ids[length++] = id;
    }
    return ids.subarray(0, length);
  };
  // Pass 1: term ids per field (needed first: BM25 length normalisation uses the average field length).
  const totalLength = new Float64Array(FIELD_NAMES.length);
  const analyzed = docs.map((doc) => {
    const texts = fieldTexts(doc);
    return FIELD_NAMES.map((f, fi) => {
      const ids = analyzeToIds(texts[f]);
      totalLength[fi]! += ids.length;
      return ids;
    });
  });
  const fieldWeight = FIELD_NAMES.map((f) => config.fields[f].weight);
  const fieldB = FIELD_NAMES.map((f) => config.fields[f].b);
  const avgLength = FIELD_NAMES.map((_, fi) => (n > 0 ? Math.max(totalLength[fi]! / n, 1) : 1));
  const phraseFields = PHRASE_FIELDS.map((f) => FIELD_NAMES.indexOf(f));

  // Pass 2: BM25F pseudo-frequency per (tool, term) = sum over fields of weight * tf / length normalisation.
  const pseudoTf = new Float64Array(terms.length);
  const bigramIds = new Map<number, Map<number, number>>();
  const bigrams: Builder[] = [];
  const { k1 } = config;
  analyzed.forEach((fields, docId) => {
    const seen: number[] = [];
    fields.forEach((ids, fi) => {
      if (ids.length === 0) return;
      const b = fieldB[fi]!;
      const perOccurrence = fieldWeight[fi]! / (1 - b + (b * ids.length) / avgLength[fi]!);
      for (const id of ids) {
        if (pseudoTf[id] === 0) seen.push(id);
        pseudoTf[id]! += perOccurrence;
      }
    });
    for (const id of seen) {
      const tf = pseudoTf[id]!;
      add(terms[id]!, docId, (tf * (k1 + 1)) / (tf + k1));
      pseudoTf[id] = 0;
    }
    // Bigrams are binary per tool, weighted by the strongest field they occur in.
    for (const fi of phraseFields) {
      const ids = fields[fi]!;
      const weight = fieldWeight[fi]!;
      for (let i = 0; i + 1 < ids.length; i++) {
        const first = ids[i]!;
        const second = ids[i + 1]!;
        if (first === second) continue;
        let inner = bigramIds.get(first);
        if (!inner) {
          inner = new Map();
          bigramIds.set(first, inner);
        }
        let id = inner.get(second);
        if (id === undefined) {
          id = bigrams.length;
          inner.set(second, id);
          bigrams.push({ docs: [], weights: [] });
        }
        const builder = bigrams[id]!;
        const last = builder.docs.length - 1;
        if (builder.docs[last] === docId) builder.weights[last] = Math.max(builder.weights[last]!, weight);
        else add(builder, docId, weight);
      }
    }
  });

  return {
    size: n,
    vocab,
    postings: terms.map(freeze),
    idf: Float64Array.from(terms, (b) => idfOf(n, b.docs.length)),
    bigramIds,
    bigramPostings: bigrams.map(freeze),
    bigramIdf: Float64Array.from(bigrams, (b) => idfOf(n, b.docs.length)),
    rareIdf: idfOf(Math.max(n, 1), 1),
  };
}

function add(builder: Builder, doc: number, weight: number): void {
  builder.docs.push(doc);
  builder.weights.push(weight);
}

function freeze(b: Builder): Postings {
  return { docs: Int32Array.from(b.docs), weights: Float32Array.from(b.weights) };
}
