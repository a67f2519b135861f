import { stem } from "./stem.js";
import { CONVERSATIONAL_WORDS, STOP_WORDS } from "./stop-words.js";
import { synonymsOf } from "./synonyms.js";
import { tokenize, tokenizeWithInfo } from "./tokenize.js";

/**
 * Text analysis: tokens -> stop-word removal -> stemming, for documents; plus term weighting and synonym expansion
 * for queries. Both sides must go through the same chain or stems would not meet.
 */

/** Stemmed index terms of `text`, in order, stop-words removed. */
export function analyze(text: string): string[] {
  const out: string[] = [];
  for (const token of tokenize(text)) {
    if (STOP_WORDS.has(token)) continue;
    out.push(stem(token));
  }
  return out;
}

/** One weighted query term. `group` ties synonyms to the query word they came from (used for coverage). */
export interface QueryTerm {
  term: string;
  weight: number;
  /** Index of the originating query word in `AnalyzedQuery.words`. */
  group: number;
  synonym: boolean;
}

export interface AnalyzedQuery {
  /** Distinct stemmed query words (synonyms excluded), in first-seen order. */
  words: string[];
  /** Weight of each word: conversational filler counts less, repeats a little more. */
  wordWeights: number[];
  /** Per word: every occurrence looked like a name or quoted value (see `TokenInfo.literal`). */
  wordLiteral: boolean[];
  /** Words plus synonym expansions, one entry per distinct term (highest weight wins). */
  terms: QueryTerm[];
  /** Adjacent pairs of content words, for the phrase bonus. */
  bigrams: string[];
}

export interface QueryAnalysisOptions {
  /** Weight of a conversational filler word ("please", "help") relative to a content word. */
  fillerWeight: number;
  /** Weight of a literal (name, quoted value, token with digits) relative to a content word. */
  literalWeight: number;
  /** Weight of a synonym relative to the word it expands. */
  synonymWeight: number;
}

interface WordStats {
  count: number;
  filler: boolean;
  literal: boolean;
}

/** Analyzes a query into weighted terms (with synonyms) and content bigrams. */
export function analyzeQuery(query: string, options: QueryAnalysisOptions): AnalyzedQuery {
  const stats = new Map<string, WordStats>();
  const bigrams: string[] = [];
  let previous: string | undefined;
  for (const { token, literal } of tokenizeWithInfo(query)) {
    if (STOP_WORDS.has(token)) continue;
    const filler = CONVERSATIONAL_WORDS.has(token);
    const term = stem(token);
    const s = stats.get(term);
    if (s) {
      s.count++;
      // A word is filler (or literal) only if every occurrence is.
      s.filler &&= filler;
      s.literal &&= literal;
    } else {
      stats.set(term, { count: 1, filler, literal });
    }
    if (!filler && !literal) {
      if (previous !== undefined && previous !== term) bigrams.push(`${previous} ${term}`);
      previous = term;
    }
  }

  const words = [...stats.keys()];
  const wordLiteral = words.map((w) => stats.get(w)!.literal);
  const wordWeights = words.map((w) => {
    const s = stats.get(w)!;
    const base = s.filler ? options.fillerWeight : s.literal ? options.literalWeight : 1;
    // A repeated word is a stronger signal, but saturating: users repeat nouns ("movie ... movie") incidentally.
    return base * Math.min(1 + 0.25 * (s.count - 1), 1.5);
  });
  const index = new Map(words.map((w, i) => [w, i]));
  const best = new Map<string, QueryTerm>();
  const offer = (candidate: QueryTerm) => {
    const seen = best.get(candidate.term);
    if (!seen || seen.weight < candidate.weight) best.set(candidate.term, candidate);
  };
  words.forEach((term, group) => {
    offer({ term, weight: wordWeights[group]!, group, synonym: false });
  });
  words.forEach((term, group) => {
    // Only content words expand: "tell" or a person's name should not drag in their synonyms' tools.
    const s = stats.get(term)!;
    if (s.filler || s.literal) return;
    for (const syn of synonymsOf(term)) {
      if (index.has(syn)) continue;
      offer({ term: syn, weight: wordWeights[group]! * options.synonymWeight, group, synonym: true });
    }
  });
  return { words, wordWeights, wordLiteral, terms: [...best.values()], bigrams };
}
