/**
 * @module sandbox/regex-scan
 * Character-level reading of a regular expression source for the parser (src/sandbox/regex-syntax.ts): the
 * lengths of escape sequences and counted quantifiers, properties of strings, and the literal source of one
 * character.
 */

/** Characters that must be escaped to stand for themselves in a pattern (valid identity escapes in `u` mode). */
const SYNTAX = new Set("^$\\.*+?()[]{}|/");

// The scanners below avoid regular expressions on purpose: in the sandbox this module plans every pattern, its own
// included, so a regex here would have to be planned before it could be used.

export const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isHex = (c: string | undefined) =>
  c !== undefined && ((c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F"));
const isLetter = (c: string | undefined) => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));

/** The Unicode properties of strings (`v` mode): they match sequences of several code points. */
const STRING_PROPERTIES = new Set([
  "Basic_Emoji",
  "Emoji_Keycap_Sequence",
  "RGI_Emoji",
  "RGI_Emoji_Flag_Sequence",
  "RGI_Emoji_Modifier_Sequence",
  "RGI_Emoji_Tag_Sequence",
  "RGI_Emoji_ZWJ_Sequence",
]);

/** Whether the `\p{…}` at `at` names a property of strings. */
export function isStringProperty(src: string, at: number): boolean {
  const end = src.indexOf("}", at);
  return src[at + 2] === "{" && end !== -1 && STRING_PROPERTIES.has(src.slice(at + 3, end));
}

/** Length of the run of characters from `at` that satisfy `ok`, at most `max`. */
export function run(src: string, at: number, ok: (c: string | undefined) => boolean, max = Infinity): number {
  let n = 0;
  while (n < max && at + n < src.length && ok(src[at + n])) n++;
  return n;
}

/** A counted quantifier `{n}`, `{n,}` or `{n,m}` at `at`: its length and bounds, or undefined. */
export function readBraces(src: string, at: number): { length: number; min: number; max: number } | undefined {
  if (src[at] !== "{") return undefined;
  const lo = run(src, at + 1, isDigit);
  if (lo === 0) return undefined;
  const min = Number(src.slice(at + 1, at + 1 + lo));
  let i = at + 1 + lo;
  if (src[i] === "}") return { length: i + 1 - at, min, max: min };
  if (src[i] !== ",") return undefined;
  i++;
  const hi = run(src, i, isDigit);
  const max = hi === 0 ? Infinity : Number(src.slice(i, i + hi));
  i += hi;
  return src[i] === "}" ? { length: i + 1 - at, min, max } : undefined;
}

/** Length of the escape sequence at `at` (a backslash) outside classes, other than \b, \B, backreferences, \k. */
export function escapeLength(src: string, at: number, unicode: boolean): number {
  const c = src[at + 1];
  if (c === "u") {
    if (unicode && src[at + 2] === "{") {
      const digits = run(src, at + 3, isHex);
      if (digits > 0 && src[at + 3 + digits] === "}") return 4 + digits;
    }
    if (run(src, at + 2, isHex, 4) === 4) {
      // In u mode an escaped surrogate pair is one character.
      const lead = Number.parseInt(src.slice(at + 2, at + 6), 16);
      if (
        unicode &&
        lead >= 0xd800 &&
        lead <= 0xdbff &&
        src[at + 6] === "\\" &&
        src[at + 7] === "u" &&
        run(src, at + 8, isHex, 4) === 4
      ) {
        const trail = Number.parseInt(src.slice(at + 8, at + 12), 16);
        if (trail >= 0xdc00 && trail <= 0xdfff) return 12;
      }
      return 6;
    }
    return 2;
  }
  if (c === "x") return run(src, at + 2, isHex, 2) === 2 ? 4 : 2;
  if (c === "c") return isLetter(src[at + 2]) ? 3 : 2;
  if (unicode && (c === "p" || c === "P") && src[at + 2] === "{") {
    const end = src.indexOf("}", at + 3);
    return end === -1 ? 2 : end + 1 - at;
  }
  if (c === "0" && !unicode) return 2 + run(src, at + 2, (d) => d !== undefined && d >= "0" && d <= "7", 2);
  // Any other single character; in u mode a surrogate pair is one character.
  const code = src.codePointAt(at + 1)!;
  return unicode && code > 0xffff ? 3 : 2;
}

/** The source of a one-character pattern matching `ch` literally. */
export function literalSource(ch: string): string {
  return SYNTAX.has(ch) ? `\\${ch}` : ch;
}
