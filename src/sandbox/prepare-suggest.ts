/**
 * @module sandbox/prepare-suggest
 * "Did you mean" suggestions and bounded lists for import errors. A model that misspells a tool id fixes it in one
 * retry when the error names the closest real ids, so ranking favours small edit distances and shared words
 * (`readFile` and `read_file_text` share "read" and "file").
 */

/** Names longer than this are compared by their prefix only, so one absurd import cannot cost quadratic time. */
const MAX_COMPARED_LENGTH = 64;

/** Splits a name into lowercase words at `_`, `-`, `/`, `.`, `@`, digits boundaries and camelCase humps. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.slice(0, MAX_COMPARED_LENGTH).toLowerCase();
  const t = b.slice(0, MAX_COMPARED_LENGTH).toLowerCase();
  let prev2: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, prev2[j - 2]! + 1);
      row.push(best);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[t.length]!;
}

/**
 * Returns up to `max` candidates that plausibly are what `input` meant, best first: close in edit distance, sharing a
 * word, or containing one another. Returns an empty list when nothing is close, rather than a random guess.
 */
export function suggest(input: string, candidates: readonly string[], max = 3): string[] {
  const inputWords = new Set(words(input));
  const lowered = input.toLowerCase();
  const scored: Array<{ name: string; score: number; close: boolean }> = [];
  for (const name of candidates) {
    const distance = editDistance(input, name);
    const longest = Math.max(input.length, name.length, 1);
    const nameWords = words(name);
    const shared = nameWords.filter((w) => inputWords.has(w)).length;
    const overlap = shared / Math.max(inputWords.size, nameWords.length, 1);
    const lowerName = name.toLowerCase();
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

/** Formats suggestions as ` Did you mean "a" or "b"?`, or an empty string when there are none. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return "";
  const quoted = suggestions.map((s) => JSON.stringify(s));
  const last = quoted.pop()!;
  return ` Did you mean ${quoted.length > 0 ? `${quoted.join(", ")} or ${last}` : last}?`;
}
