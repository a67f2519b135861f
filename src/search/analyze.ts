import { stem } from "./stem";
import { CONVERSATIONAL_WORDS, STOP_WORDS } from "./stop-words";
import { synonymsOf } from "./synonyms";
import { tokenize } from "./tokenize";

/**
 * Text analysis: tokens -> stop-word removal -> stemming, for documents; plus term weighting and synonym expansion
 * for queries. Both sides go through the same chain, or stems would not meet.
 */

/** Vocabulary is Zipfian, so a small cache removes most stemming work. */
const termCache = new Map<string, string>();
const TERM_CACHE_LIMIT = 50_000;

/** Token -> stem, or "" for a stop-word: the per-token step of `analyze`. */
export function termOf(token: string): string {
  let term = termCache.get(token);
  if (term === undefined) {
    term = STOP_WORDS.has(token) ? "" : stem(token);
    if (termCache.size >= TERM_CACHE_LIMIT) termCache.clear();
    termCache.set(token, term);
  }
  return term;
}

/** Stemmed index terms of `text`, in order, stop-words removed. */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const token of tokenize(text)) {
    const term = termOf(token);
    if (term) out.push(term);
  }
  return out;
}

/** One weighted query term. `group` ties a synonym to the query word it expands. */
export interface QueryTerm {
  term: string;
  weight: number;
  /** Index of the originating word in `AnalyzedQuery.words`. */
  group: number;
  synonym: boolean;
}

export interface AnalyzedQuery {
  /** Distinct stemmed query words (synonyms excluded), in first-seen order. */
  words: string[];
  /** Weight of each word: conversational filler counts less, repeats a little more. */
  wordWeights: number[];
  /** Per word: conversational filler ("please", "help me"), which says nothing about the tool wanted. */
  wordFiller: boolean[];
  /** Words plus synonym expansions, one entry per distinct term (highest weight wins). */
  terms: QueryTerm[];
  /** Adjacent pairs of content words ("weather forecast"), for the phrase bonus. */
  bigrams: Array<[string, string]>;
}

export interface QueryAnalysisOptions {
  /** Weight of a conversational filler word ("please", "help") relative to a content word. */
  fillerWeight: number;
  /** Weight of a synonym relative to the word it expands. */
  synonymWeight: number;
}

/** Analyzes a query into weighted terms (with synonyms) and content bigrams. */
export function analyzeQuery(query: string, options: QueryAnalysisOptions): AnalyzedQuery {
  const counts = new Map<string, { count: number; filler: boolean }>();
  const bigrams: Array<[string, string]> = [];
  let previous: string | undefined;
  for (const token of tokenize(query)) {
    const term = termOf(token);
    if (!term) continue;
    const filler = CONVERSATIONAL_WORDS.has(token);
    const seen = counts.get(term);
    if (seen) {
      seen.count++;
      // Filler only if every occurrence is ("like" in "I'd like" vs "find similar, like X").
      seen.filler &&= filler;
    } else {
      counts.set(term, { count: 1, filler });
    }
    if (!filler) {
      if (previous !== undefined && previous !== term) bigrams.push([previous, term]);
      previous = term;
    }
  }

  const words = [...counts.keys()];
  const wordWeights = words.map((w) => {
    const { count, filler } = counts.get(w)!;
    // Repeating a word is a stronger signal, but saturating: users repeat nouns ("movie ... movie") incidentally.
    return (filler ? options.fillerWeight : 1) * Math.min(1 + 0.25 * (count - 1), 1.5);
  });
  const best = new Map<string, QueryTerm>();
  const offer = (candidate: QueryTerm) => {
    const seen = best.get(candidate.term);
    if (!seen || seen.weight < candidate.weight) best.set(candidate.term, candidate);
  };
  words.forEach((term, group) => {
    offer({ term, weight: wordWeights[group]!, group, synonym: false });
  });
  words.forEach((term, group) => {
    // Filler does not expand: "show me" or "tell me" should not drag in their synonyms' tools.
    if (counts.get(term)!.filler) return;
    for (const syn of synonymsOf(term)) {
      if (!counts.has(syn))
        offer({ term: syn, weight: wordWeights[group]! * options.synonymWeight, group, synonym: true });
    }
  });
  const wordFiller = words.map((w) => counts.get(w)!.filler);
  return { words, wordWeights, wordFiller, terms: [...best.values()], bigrams };
}
