/**
 * Tokenizer shared by documents and queries. Tool names are identifiers (`get_current_weather`, `getUserById`,
 * `uber.ride2`, `HTTPRequest`) while queries are prose, often with accents or in another script, so one splitter
 * must handle both: split on every non-alphanumeric, on camelCase and acronym boundaries, and between a word and a
 * trailing number; fold accents; cut CJK runs into bigrams since those scripts do not separate words with spaces.
 */

/** Han, Hiragana and Katakana: scripts written without spaces, indexed as overlapping character bigrams. */
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+/gu;
const CJK_TEST = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const WORD_RUN = /[\p{L}\p{N}]+/gu;
/** Apostrophes inside words are dropped so "website's" stems like "websites" and "don't" becomes one stop-word. */
const INNER_APOSTROPHE = /(?<=\p{L})['’`](?=\p{L})/gu;
const LOWER_UPPER = /(\p{Ll})(\p{Lu})/gu;
const ACRONYM_WORD = /(\p{Lu})(\p{Lu}\p{Ll})/gu;
/** "ride2" -> "ride 2", "base64" -> "base 64"; short prefixes stay whole ("v2", "mp3", "s3") since they are names. */
const WORD_DIGIT = /(\p{L}{3,})(?=\p{N})/gu;
const DIGIT_WORD = /(\p{N})(?=\p{L}{3,})/gu;
const PURE_DIGITS = /^\p{N}+$/u;
const HAS_DIGIT = /\p{N}/u;
const COMBINING_MARK = /\p{M}+/gu;

/** Letters that do not decompose under NFD but have an obvious ASCII fold. */
const EXTRA_FOLDS: Record<string, string> = { đ: "d", Đ: "D", ß: "ss", ø: "o", Ø: "O", æ: "ae", Æ: "AE", œ: "oe", ł: "l" };
const EXTRA_FOLD_RE = /[đĐßøØæÆœł]/g;

/**
 * Removes diacritics ("Tìm chuyến" -> "Tim chuyen") while keeping Hangul intact: NFD splits Hangul syllables into
 * jamo, which are letters rather than marks, so NFC puts them back together.
 */
export function foldAccents(text: string): string {
  return text
    .normalize("NFD")
    .replace(COMBINING_MARK, "")
    .normalize("NFC")
    .replace(EXTRA_FOLD_RE, (c) => EXTRA_FOLDS[c] ?? c);
}

/** Splits one identifier-like run into words on camelCase, acronym and word/number boundaries (case kept). */
export function splitIdentifier(run: string): string[] {
  return run
    .replace(LOWER_UPPER, "$1 $2")
    .replace(ACRONYM_WORD, "$1 $2")
    .replace(WORD_DIGIT, "$1 ")
    .replace(DIGIT_WORD, "$1 ")
    .split(" ")
    .filter((part) => part.length > 0);
}

/** A token plus what its surface form says about it, for query analysis. */
export interface TokenInfo {
  token: string;
  /**
   * Written like a name or a literal value: capitalised but not first in its sentence ("movies with Jim Carrey"),
   * inside quotes ("todo 'buy milk'"), or containing digits ("10am", "3x"). Such words are arguments to a tool, not a description of one.
   */
  literal: boolean;
}

/**
 * Lowercase word tokens of `text`, in order. Drops pure numbers and single Latin letters (values such as ids, dates
 * and variable names carry no signal about which tool fits) but keeps single CJK characters.
 */
export function tokenize(text: string): string[] {
  return tokenizeWithInfo(text).map((t) => t.token);
}

const QUOTED = /"[^"\n]*"|“[^”\n]*”|‘[^’\n]*’|(?<![\p{L}\p{N}])'[^'\n]*'(?![\p{L}\p{N}])/gu;
const SENTENCE_END = /[.!?;:\n]\s*$/u;

/** Like `tokenize`, with the `literal` flag of each token. */
export function tokenizeWithInfo(text: string): TokenInfo[] {
  const out: TokenInfo[] = [];
  const spaced = foldAccents(text).replace(INNER_APOSTROPHE, "").replace(CJK_RUN, " $& ");
  const quoted: Array<[number, number]> = [];
  for (const m of spaced.matchAll(QUOTED)) quoted.push([m.index, m.index + m[0].length]);
  let previousEnd = 0;
  let first = true;
  for (const match of spaced.matchAll(WORD_RUN)) {
    const run = match[0];
    const start = match.index;
    const sentenceStart = first || SENTENCE_END.test(spaced.slice(previousEnd, start));
    first = false;
    previousEnd = start + run.length;
    if (CJK_TEST.test(run)) {
      for (const token of cjkBigrams(run)) out.push({ token, literal: false });
      continue;
    }
    const inQuotes = quoted.some(([a, b]) => start > a && start < b);
    const capitalised = !sentenceStart && /^\p{Lu}/u.test(run);
    for (const part of splitIdentifier(run)) {
      if (part.length < 2 || PURE_DIGITS.test(part)) continue;
      // Tokens with digits ("3x", "10am", "tx1234") are values, whatever their case.
      out.push({ token: part.toLowerCase(), literal: inQuotes || capitalised || HAS_DIGIT.test(part) });
    }
  }
  return out;
}

function cjkBigrams(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length === 1) return [run];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}
