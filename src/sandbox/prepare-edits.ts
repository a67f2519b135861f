/**
 * @module sandbox/prepare-edits
 * Position-based source edits applied in one pass: collect, sort, splice once. Linear in the code size however many
 * guards are inserted, and it never re-parses or re-prints, so everything not edited keeps its exact text and line.
 */

/**
 * Replaces `code.slice(start, end)` with `text` (an insertion when `start === end`). At equal positions closing
 * text goes first (innermost first), then opening text (outermost first), then replacements, so nested wrappers
 * such as `for (;;) for (;;) x;` come out balanced and a wrapped node can itself be replaced (`() => /re/`).
 */
export interface Edit {
  start: number;
  end: number;
  text: string;
  /** 0 closes, 1 opens, 2 replaces. */
  order: 0 | 1 | 2;
  /** Nesting depth of the node the edit belongs to. */
  depth: number;
}

/** An insertion that opens a wrapper (or adds text at the start of a body). */
export function open(at: number, text: string, depth: number): Edit {
  return { start: at, end: at, text, order: 1, depth };
}

/** An insertion that closes a wrapper. */
export function close(at: number, text: string, depth: number): Edit {
  return { start: at, end: at, text, order: 0, depth };
}

/** Removes a range but keeps its line breaks, so every later line stays on its line number. */
export function blank(code: string, start: number, end: number): Edit {
  return replace(start, end, code.slice(start, end).replace(/[^\r\n\u2028\u2029]/g, ""));
}

/** Replaces a range. */
export function replace(start: number, end: number, text: string): Edit {
  return { start, end, text, order: 2, depth: 0 };
}

function compare(a: Edit, b: Edit): number {
  if (a.start !== b.start) return a.start - b.start;
  if (a.order !== b.order) return a.order - b.order;
  return a.order === 0 ? b.depth - a.depth : a.depth - b.depth;
}

/** Applies edits to `code`; they must not overlap (an internal error otherwise). */
export function applyEdits(code: string, edits: Edit[]): string {
  edits.sort(compare);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of edits) {
    if (edit.start < cursor) throw new Error(`prepare: overlapping edits at ${edit.start}`);
    parts.push(code.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  parts.push(code.slice(cursor));
  return parts.join("");
}

/**
 * The offset in the code before {@link applyEdits} of `offset` in its result (`edits` as applyEdits left them,
 * sorted). An offset inside inserted or replacing text maps to where that text went in.
 */
export function offsetBeforeEdits(edits: readonly Edit[], offset: number): number {
  let cursor = 0;
  let out = 0;
  for (const edit of edits) {
    const kept = edit.start - cursor;
    if (offset < out + kept) return cursor + (offset - out);
    out += kept;
    if (offset < out + edit.text.length) return edit.start;
    out += edit.text.length;
    cursor = edit.end;
  }
  return cursor + (offset - out);
}

/**
 * {@link offsetBeforeEdits} for many lookups (every frame of a logged stack): where each edit's text starts in the
 * result is computed once, and each lookup is a binary search, however many guards the code was given.
 */
export function editedOffsets(edits: readonly Edit[]): (offset: number) => number {
  const starts: number[] = [];
  let cursor = 0;
  let out = 0;
  for (const edit of edits) {
    out += edit.start - cursor;
    starts.push(out);
    out += edit.text.length;
    cursor = edit.end;
  }
  return (offset) => {
    // The last edit whose text starts at or before `offset`: an earlier one at the same place has no text.
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return offset;
    const edit = edits[found]!;
    const within = offset - starts[found]!;
    return within < edit.text.length ? edit.start : edit.end + (within - edit.text.length);
  };
}
