/**
 * Tokenizer shared by documents and queries. Tool names are identifiers (`get_current_weather`, `getUserById`,
 * `uber.ride2`, `HTTPRequest`) while queries are prose, often with accents or in another script, so one splitter
 * handles both: split on every non-alphanumeric, on camelCase and acronym boundaries, and between a word and a
 * number; fold Latin accents; cut CJK runs into bigrams since those scripts do not separate words with spaces.
 *
 * It is a hand-written scanner rather than a chain of Unicode regexes because indexing 10,000 verbose tools means
 * tokenizing megabytes of text within the Worker's budget; regexes only classify the rare non-ASCII characters.
 */

enum Kind {
  Separator,
  Upper,
  Lower,
  /** Letters without case (Hangul, Arabic, Devanagari...) and combining marks: word characters, never a boundary. */
  Caseless,
  Digit,
  /** Han, Hiragana, Katakana: indexed as overlapping character bigrams. */
  Cjk,
}

const ASCII_KIND: readonly Kind[] = Array.from({ length: 128 }, (_, c) => {
  if (c >= 65 && c <= 90) return Kind.Upper;
  if (c >= 97 && c <= 122) return Kind.Lower;
  if (c >= 48 && c <= 57) return Kind.Digit;
  return Kind.Separator;
});

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const WORD = /[\p{L}\p{M}]/u;
const NUMBER = /\p{Nd}/u;
const nonAsciiKinds = new Map<string, Kind>();

function kindOf(ch: string): Kind {
  const code = ch.charCodeAt(0);
  if (code < 128) return ASCII_KIND[code]!;
  let kind = nonAsciiKinds.get(ch);
  if (kind === undefined) {
    if (CJK.test(ch)) kind = Kind.Cjk;
    else if (UPPER.test(ch)) kind = Kind.Upper;
    else if (LOWER.test(ch)) kind = Kind.Lower;
    else if (WORD.test(ch)) kind = Kind.Caseless;
    else if (NUMBER.test(ch)) kind = Kind.Digit;
    else kind = Kind.Separator;
    // Bounded: a hostile query cannot grow the cache without limit.
    if (nonAsciiKinds.size < 4096) nonAsciiKinds.set(ch, kind);
  }
  return kind;
}

const NON_ASCII = /[^\u0000-\u007f]/;
const ACCENTED_LATIN = /[\u00c0-\u024f\u1e00-\u1eff]/;
const LATIN_WITH_MARKS = /([A-Za-z])\p{M}+/gu;
/** Letters that do not decompose under NFD but have an obvious ASCII fold. */
const EXTRA_FOLDS: Record<string, string> = {
  đ: "d",
  Đ: "D",
  ß: "ss",
  ø: "o",
  Ø: "O",
  æ: "ae",
  Æ: "AE",
  œ: "oe",
  ł: "l",
};
const EXTRA_FOLD_RE = /[đĐßøØæÆœł]/g;

/**
 * Removes diacritics from Latin letters ("Tìm chuyến" -> "Tim chuyen"). Marks on other scripts (Devanagari vowel
 * signs, Hangul jamo after NFD) are part of the letter and are kept.
 */
export function foldAccents(text: string): string {
  if (!ACCENTED_LATIN.test(text)) return text;
  return text
    .normalize("NFD")
    .replace(LATIN_WITH_MARKS, "$1")
    .normalize("NFC")
    .replace(EXTRA_FOLD_RE, (c) => EXTRA_FOLDS[c] ?? c);
}

/** Apostrophes inside words are dropped ("website's" -> "websites", "don't" -> "dont"); elsewhere they separate. */
const INNER_APOSTROPHE = /(?<=\p{L})['’`](?=\p{L})/gu;
const HAS_APOSTROPHE = /['’`]/;

/** Per-character kinds of the text being scanned; module-level and grown on demand to avoid an allocation per call. */
let kindBuffer = new Uint8Array(1024);

/**
 * Lowercase word tokens of `text`, in order. Drops pure numbers and single Latin letters (ids, dates and variable
 * names carry no signal about which tool fits) but keeps single CJK characters.
 */
export function tokenize(text: string): string[] {
  let source = NON_ASCII.test(text) ? foldAccents(text) : text;
  if (HAS_APOSTROPHE.test(source)) source = source.replace(INNER_APOSTROPHE, "");
  // ASCII text is scanned by UTF-16 index; anything else by code point so astral CJK characters stay whole.
  const chars: ArrayLike<string> = NON_ASCII.test(source) ? Array.from(source) : source;
  const n = chars.length;
  if (kindBuffer.length < n) kindBuffer = new Uint8Array(Math.max(n, kindBuffer.length * 2));
  const kinds = kindBuffer;
  for (let i = 0; i < n; i++) kinds[i] = kindOf(chars[i]!);
  const out: string[] = [];
  let i = 0;
  while (i < n) {
    const kind = kinds[i]!;
    if (kind === Kind.Separator) {
      i++;
      continue;
    }
    let end = i + 1;
    if (kind === Kind.Cjk) {
      while (end < n && kinds[end] === Kind.Cjk) end++;
      pushCjkBigrams(chars, i, end, out);
    } else {
      while (end < n && kinds[end] !== Kind.Separator && kinds[end] !== Kind.Cjk) end++;
      splitWord(chars, kinds, i, end, out);
    }
    i = end;
  }
  return out;
}

function isLetter(kind: Kind): boolean {
  return kind === Kind.Upper || kind === Kind.Lower || kind === Kind.Caseless;
}

/**
 * Splits one alphanumeric run at camelCase ("getUser"), acronym ("HTTPRequest" -> HTTP Request) and word/number
 * boundaries. A number splits from a word of three or more letters ("ride2", "base64") but stays with a short
 * prefix, since "v2", "mp3" or "s3" are names.
 */
function splitWord(chars: ArrayLike<string>, kinds: Uint8Array, from: number, to: number, out: string[]): void {
  let start = from;
  for (let i = from + 1; i < to; i++) {
    const prev = kinds[i - 1]!;
    const cur = kinds[i]!;
    let boundary = false;
    if (cur === Kind.Upper) {
      if (prev === Kind.Digit) boundary = lettersFrom(kinds, i, to) >= 3;
      else boundary = prev !== Kind.Upper || (i + 1 < to && kinds[i + 1] === Kind.Lower);
    } else if (cur === Kind.Digit) {
      boundary = prev !== Kind.Digit && lettersBefore(kinds, i, start) >= 3;
    } else if (prev === Kind.Digit) {
      boundary = lettersFrom(kinds, i, to) >= 3;
    }
    if (boundary) {
      pushPart(chars, kinds, start, i, out);
      start = i;
    }
  }
  pushPart(chars, kinds, start, to, out);
}

function lettersBefore(kinds: Uint8Array, end: number, start: number): number {
  let count = 0;
  for (let j = end - 1; j >= start && isLetter(kinds[j]!); j--) count++;
  return count;
}

function lettersFrom(kinds: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let j = from; j < to && isLetter(kinds[j]!); j++) count++;
  return count;
}

function pushPart(chars: ArrayLike<string>, kinds: Uint8Array, start: number, end: number, out: string[]): void {
  if (end - start < 2) return;
  let digitsOnly = true;
  for (let j = start; j < end && digitsOnly; j++) digitsOnly = kinds[j] === Kind.Digit;
  if (!digitsOnly) out.push(slice(chars, start, end).toLowerCase());
}

function slice(chars: ArrayLike<string>, start: number, end: number): string {
  if (typeof chars === "string") return chars.slice(start, end);
  let s = "";
  for (let j = start; j < end; j++) s += chars[j];
  return s;
}

function pushCjkBigrams(chars: ArrayLike<string>, start: number, end: number, out: string[]): void {
  if (end - start === 1) {
    out.push(chars[start]!);
    return;
  }
  for (let i = start; i + 1 < end; i++) out.push(chars[i]! + chars[i + 1]!);
}
