/**
 * @module web/dashboard/line-diff
 * A line diff of two texts (skill versions): common lines kept, the rest removed or added. Common prefix and
 * suffix are matched first; the middle by longest common subsequence while its table stays under
 * {@link MAX_DIFF_CELLS}, else shown as removed-then-added (bounded work for any input).
 */

export interface DiffLine {
  op: "same" | "add" | "del";
  text: string;
  /** Line numbers in the old and new text (1-based), where the line exists. */
  a?: number;
  b?: number;
}

export const MAX_DIFF_CELLS = 4_000_000;

/** The diff from `before` to `after`, line by line. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ op: "same", text: a[i]!, a: i + 1, b: i + 1 });
  out.push(...middle(a, b, start, endA, endB));
  for (let i = endA, j = endB; i < a.length; i++, j++) out.push({ op: "same", text: a[i]!, a: i + 1, b: j + 1 });
  return out;
}

function middle(a: string[], b: string[], start: number, endA: number, endB: number): DiffLine[] {
  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_DIFF_CELLS) {
    return [
      ...a.slice(start, endA).map((text, i) => ({ op: "del" as const, text, a: start + i + 1 })),
      ...b.slice(start, endB).map((text, j) => ({ op: "add" as const, text, b: start + j + 1 })),
    ];
  }
  // lcs[i][j]: length of the longest common subsequence of a[start+i..endA) and b[start+j..endB).
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[start + i] === b[start + j]
          ? lcs[(i + 1) * width + j + 1]! + 1
          : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      out.push({ op: "same", text: a[start + i]!, a: start + i + 1, b: start + j + 1 });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      out.push({ op: "del", text: a[start + i]!, a: start + i + 1 });
      i++;
    } else {
      out.push({ op: "add", text: b[start + j]!, b: start + j + 1 });
      j++;
    }
  }
  return out;
}
