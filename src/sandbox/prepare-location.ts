/**
 * @module sandbox/prepare-location
 * Offsets to line/column and a one-line code frame for error messages. Line breaks are counted the way JavaScript
 * counts them (`\r\n`, `\n`, `\r`, U+2028, U+2029), so the line numbers agree with the parser and with V8 stack
 * traces of the prepared module.
 */

/** A 1-based line and 1-based column (UTF-16 code units), as editors and V8 stack traces show them. */
export interface Location {
  line: number;
  column: number;
}

const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/g;

/** Start offsets of every line of a text, for repeated offset-to-location lookups. */
export class LineIndex {
  /** `starts[i]` is the offset where line `i + 1` begins. */
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (const match of text.matchAll(LINE_BREAK)) this.starts.push(match.index + match[0].length);
  }

  /** The location of an offset (clamped into the text). */
  locate(offset: number): Location {
    const pos = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: pos - this.starts[lo]! + 1 };
  }

  /** The offset of a location, or undefined when the line does not exist. */
  offset(at: Location): number | undefined {
    const start = this.starts[at.line - 1];
    return start === undefined ? undefined : Math.min(start + Math.max(0, at.column - 1), this.text.length);
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return "";
    const next = this.starts[line];
    const raw = this.text.slice(start, next ?? this.text.length);
    return raw.replace(/(\r\n?|\n|\u2028|\u2029)$/, "");
  }
}

/** Longest slice of a line shown in a frame; minified one-liners would otherwise flood the model's context. */
const FRAME_WIDTH = 160;

/**
 * Renders the offending line with a caret under the column:
 * ```
 *   3 | const x = ;
 *     |           ^
 * ```
 */
export function codeFrame(index: LineIndex, at: Location): string {
  let text = index.lineText(at.line);
  let caret = at.column - 1;
  if (text.length > FRAME_WIDTH) {
    const from = Math.max(0, Math.min(caret - FRAME_WIDTH / 2, text.length - FRAME_WIDTH));
    const prefix = from > 0 ? "…" : "";
    const suffix = from + FRAME_WIDTH < text.length ? "…" : "";
    text = prefix + text.slice(from, from + FRAME_WIDTH) + suffix;
    caret = caret - from + prefix.length;
  }
  const gutter = String(at.line);
  // Keep tabs in the caret line so the caret sits under the right character whatever the tab width.
  const pad = text.slice(0, Math.max(0, caret)).replace(/[^\t]/g, " ");
  return `${gutter} | ${text}\n${" ".repeat(gutter.length)} | ${pad}^`;
}
