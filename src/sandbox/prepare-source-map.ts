/**
 * @module sandbox/prepare-source-map
 * Maps an offset in sucrase's output back to the agent's original code. Sucrase keeps every line on its line but
 * removing types shifts columns, so errors found after stripping (by the parser, import checks, the reserved-name
 * check) need its source map to point at the column the agent actually wrote. Only error paths (and frames of logged
 * stacks) use this.
 */

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Map([...BASE64].map((c, i) => [c, i]));

/** One decoded mapping: a generated column maps to a source line and column (all 0-based). */
interface Segment {
  genColumn: number;
  sourceLine: number;
  sourceColumn: number;
}

/** Decodes the `mappings` field of a v3 source map into segments per generated line. */
function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [[]];
  let sourceLine = 0;
  let sourceColumn = 0;
  let genColumn = 0;
  let fields: number[] = [];
  let value = 0;
  let shift = 0;
  const flush = () => {
    if (fields.length >= 4) {
      genColumn += fields[0]!;
      sourceLine += fields[2]!;
      sourceColumn += fields[3]!;
      lines[lines.length - 1]!.push({ genColumn, sourceLine, sourceColumn });
    } else if (fields.length >= 1) {
      genColumn += fields[0]!;
    }
    fields = [];
  };
  for (const char of mappings) {
    if (char === ";") {
      flush();
      lines.push([]);
      genColumn = 0;
      continue;
    }
    if (char === ",") {
      flush();
      continue;
    }
    const digit = BASE64_VALUE.get(char);
    if (digit === undefined) continue;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  flush();
  return lines;
}

/** Offsets where each `\n`-separated line starts; source maps count lines by `\n` only. */
function newlineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Index of the last line start at or before `offset`. */
function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Builds a function from offsets in `generated` to offsets in `original`, given sucrase's source map `mappings`.
 * An offset inside a token keeps its distance from the token start; an offset before the first mapped token of a
 * line keeps its column. Results are clamped to the original line.
 */
export function createOffsetMapper(original: string, generated: string, mappings: string): (offset: number) => number {
  const segments = decodeMappings(mappings);
  const genStarts = newlineStarts(generated);
  const origStarts = newlineStarts(original);
  return (offset) => {
    const genLine = lineOf(genStarts, offset);
    const column = offset - genStarts[genLine]!;
    let sourceLine = genLine;
    let sourceColumn = column;
    // The last segment at or before the column (sucrase writes a line's segments in column order): a binary search,
    // since a logged stack may look up thousands of frames on one long line.
    const line = segments[genLine] ?? [];
    let lo = 0;
    let hi = line.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const segment = line[mid]!;
      if (segment.genColumn > column) hi = mid - 1;
      else {
        sourceLine = segment.sourceLine;
        sourceColumn = segment.sourceColumn + (column - segment.genColumn);
        lo = mid + 1;
      }
    }
    const lineStart = origStarts[sourceLine] ?? original.length;
    const lineEnd = origStarts[sourceLine + 1] ?? original.length + 1;
    return Math.min(lineStart + sourceColumn, lineEnd - 1, original.length);
  };
}
