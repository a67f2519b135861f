/**
 * Cleaning of untrusted upstream text (tool and property descriptions, titles) before it reaches the model:
 * what a human reviewer cannot see must not reach the model either, so terminal escapes, control characters,
 * invisible and bidi formatting characters and the Unicode "tag" and variation-selector ranges used to smuggle
 * hidden instructions are removed. Every step is a single regular-expression pass without backtracking
 * hazards, so cleaning is linear in the input size.
 */

/**
 * ANSI / ECMA-48 escape sequences in their 7-bit form: CSI (`ESC [` params, intermediates, final byte), the
 * string sequences OSC, DCS, SOS, PM and APC (`ESC ] P X ^ _` up to BEL or ST, or up to the next ESC / the end
 * when unterminated), and two-byte escapes (`ESC` intermediates final). The final byte is optional so that a
 * truncated sequence is removed too and the regex never backtracks. A lone ESC not matched here is removed
 * with the other C0 controls.
 */
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]?|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?/g;

/** CR LF and lone CR become LF; U+2028/U+2029 (line/paragraph separators) too. */
const LINE_BREAKS = /\r\n?|[\u2028\u2029]/g;

/** C0 controls except TAB (U+0009) and LF (U+000A), DEL, and C1 controls. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Invisible and formatting characters: soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul
 * fillers, Mongolian vowel separator, zero-width space/joiners and LRM/RLM (U+200B-U+200F), bidi embeddings
 * and overrides (U+202A-U+202E), word joiner, invisible operators and bidi isolates (U+2060-U+206F), variation
 * selectors (U+FE00-U+FE0F, U+E0100-U+E01EF), BOM / zero-width no-break space, interlinear annotation
 * controls, tag characters (U+E0000-U+E007F), and unpaired surrogates.
 */
const INVISIBLE =
  /[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]|\u034f|[\ufe00-\ufe0f]|[\u{e0100}-\u{e01ef}]|\p{Cs}/gu;

/** Unicode space characters shown as a plain space. */
const SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;

/** Share of `maxChars` within which a word boundary is searched for when cutting. */
const WORD_BOUNDARY_WINDOW = 0.2;

/**
 * Cleans untrusted text for display to the model.
 *
 * Removes ANSI escape sequences, C0/C1 control characters except `\n` and `\t` (CR and CR LF become `\n`),
 * zero-width and other invisible characters, bidi controls, Unicode tag characters and variation selectors;
 * turns exotic spaces into ` `, collapses runs of spaces, drops spaces at line ends and more than one blank
 * line, and trims. Non-string input gives `""`.
 *
 * When `maxChars` is given and the cleaned text is longer, the text is cut at the last whitespace within the
 * final 20% before the cap (or at the cap when there is none) and `…` is appended; the result is at most
 * `maxChars` characters long and never splits a surrogate pair.
 */
export function cleanText(text: unknown, maxChars?: number): string {
  if (typeof text !== "string") return "";
  const cleaned = text
    .replace(ANSI, "")
    .replace(LINE_BREAKS, "\n")
    .replace(CONTROLS, "")
    .replace(INVISIBLE, "")
    .replace(SPACES, " ")
    .replace(/ {2,}/g, " ")
    .replace(/ +\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return maxChars === undefined ? cleaned : truncate(cleaned, maxChars);
}

/** Cuts `text` to at most `maxChars` characters (ellipsis included), preferring a word boundary. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (!(maxChars >= 1)) return "";
  const limit = Math.floor(maxChars) - 1;
  let end = limit;
  // Never leave half of a surrogate pair at the end.
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  const floor = Math.max(1, Math.floor(limit * (1 - WORD_BOUNDARY_WINDOW)));
  // Prefer cutting before a whitespace character, unless there is whitespace exactly at the cut already.
  if (!isSpace(text.charCodeAt(end))) {
    for (let i = end - 1; i >= floor; i--) {
      if (isSpace(text.charCodeAt(i))) {
        end = i;
        break;
      }
    }
  }
  return `${text.slice(0, end).trimEnd()}…`;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
