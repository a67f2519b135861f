/**
 * @module sandbox/prepare-suggest
 * "Did you mean" suggestions and bounded lists for import errors. A model that misspells a tool id fixes it in one
 * retry when the error names the closest real ids, so ranking favours small edit distances and shared words
 * (`readFile` and `read_file_text` share "read" and "file").
 */

/** Names longer than this are compared by their prefix only, so one absurd import cannot cost quadratic time. */
const MAX_COMPARED_LENGTH = 64;

/**
 * Edit-distance cells one preparation may spend on suggestions (about 30 ms here). Each unknown name is compared with
 * every export of its module, so 8,000 misspelt imports of a 2,000-tool server would otherwise cost 10^10 cells and
 * block the session object for minutes; past the budget, errors still name the problem but suggest nothing.
 */
export const SUGGEST_BUDGET_CELLS = 3_000_000;

/** Work left for suggestions in one preparation, shared by every suggest() call it makes. */
export class SuggestBudget {
  /** Cells spent so far (reported by prepareCode's stats, asserted by the tests). */
  spent = 0;
  constructor(readonly cells = SUGGEST_BUDGET_CELLS) {}

  /** Reserves the cost of one suggest() call, or returns false (and reserves nothing) if it does not fit. */
  take(cost: number): boolean {
    if (this.spent + cost > this.cells) return false;
    this.spent += cost;
    return true;
  }
}

/** Splits a name into lowercase words at `_`, `-`, `/`, `.`, `@`, digits boundaries and camelCase humps. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
function editDistance(s: string, t: string): number {
  let prev2 = new Int32Array(t.length + 1);
  let prev = Int32Array.from({ length: t.length + 1 }, (_, j) => j);
  let row = new Int32Array(t.length + 1);
  for (let i = 1; i <= s.length; i++) {
    row[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, prev2[j - 2]! + 1);
      row[j] = best;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[t.length]!;
}

const comparedLengths = new WeakMap<readonly string[], number>();

/** Sum over candidates of (compared length + 1), cached per list: the budget check must not itself be a loop. */
function comparedLength(candidates: readonly string[]): number {
  let total = comparedLengths.get(candidates);
  if (total === undefined) {
    total = 0;
    for (const name of candidates) total += Math.min(name.length, MAX_COMPARED_LENGTH) + 1;
    comparedLengths.set(candidates, total);
  }
  return total;
}

/** The part of a name that is compared, lowercased. */
function compared(name: string): string {
  return name.slice(0, MAX_COMPARED_LENGTH).toLowerCase();
}

/** The edit distance of two names as suggest() compares them (their first 64 characters, ignoring case). */
export function comparedDistance(a: string, b: string): number {
  return editDistance(compared(a), compared(b));
}

/**
 * Returns up to `max` candidates that plausibly are what `input` meant, best first: close in edit distance, sharing a
 * word, or containing one another. Returns an empty list when nothing is close, rather than a random guess, and when
 * comparing with every candidate would overrun `budget`.
 */
export function suggest(
  input: string,
  candidates: readonly string[],
  max = 3,
  budget: SuggestBudget = new SuggestBudget(),
): string[] {
  const source = compared(input);
  // Cells of the distance matrix plus the per-candidate word split and lowercasing.
  const cost = (source.length + 1) * comparedLength(candidates) + 16 * candidates.length;
  if (!budget.take(cost)) return [];
  // Only the compared prefix of a huge name counts, for words and containment too.
  const inputWords = new Set(words(input.slice(0, MAX_COMPARED_LENGTH)));
  const lowered = source;
  const scored: Array<{ name: string; score: number; close: boolean }> = [];
  for (const name of candidates) {
    const lowerName = compared(name);
    const distance = editDistance(source, lowerName);
    const longest = Math.max(source.length, lowerName.length, 1);
    const nameWords = words(name.slice(0, MAX_COMPARED_LENGTH));
    const shared = nameWords.filter((w) => inputWords.has(w)).length;
    const overlap = shared / Math.max(inputWords.size, nameWords.length, 1);
    const contains =
      Math.min(lowered.length, lowerName.length) >= 3 && (lowerName.includes(lowered) || lowered.includes(lowerName));
    const close = distance <= Math.max(1, Math.floor(longest / 3));
    if (!close && shared === 0 && !contains) continue;
    scored.push({ name, score: distance / longest - overlap - (contains ? 0.3 : 0), close: close || contains });
  }
  // A shared word alone ("servers" in "servers/github") is weak evidence: use it only when nothing is spelled close.
  const strong = scored.filter((s) => s.close);
  const pool = strong.length > 0 ? strong : scored;
  pool.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return pool.slice(0, max).map((s) => s.name);
}

/** Formats names as a comma-separated list, cut after `max` entries with a count of the rest. */
export function formatList(names: readonly string[], max = 30): string {
  if (names.length === 0) return "(none)";
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, … and ${names.length - max} more` : shown;
}

/** Versions a message names when a pinned one does not exist: the newest few, which are the ones usually meant. */
export const MAX_VERSIONS_SHOWN = 5;

/** Formats versions newest first, cut after `max` with a count of the older ones: `7, 6, 5, 4, 3, … and 2 older`. */
export function formatVersions(versions: readonly number[], max = MAX_VERSIONS_SHOWN): string {
  const newest = [...versions].sort((a, b) => b - a);
  const shown = newest.slice(0, max).join(", ");
  return newest.length > max ? `${shown}, … and ${newest.length - max} older` : shown || "(none)";
}

/** Formats suggestions as ` Did you mean "a" or "b"?`, or an empty string when there are none. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return "";
  const quoted = suggestions.map((s) => JSON.stringify(s));
  const last = quoted.pop()!;
  return ` Did you mean ${quoted.length > 0 ? `${quoted.join(", ")} or ${last}` : last}?`;
}
