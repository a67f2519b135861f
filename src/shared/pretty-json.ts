/**
 * @module shared/pretty-json
 * The readable JSON of tool results' text rendering, bounded. `JSON.stringify(value, null, 2)` indents every value
 * by its depth, so a 200 KB result nested 195 levels deep became 39.5 MB of text (and a `2^12`-shared array 512 KB
 * of indentation for 25 KB of data). {@link prettyJson} counts what the indentation would add, without building it,
 * and falls back to compact JSON when the pretty form would be much larger than the data.
 */

/** The pretty form is used up to this size whatever the data's size. */
const ALWAYS_PRETTY_CHARS = 16 * 1024;

/**
 * `value` as JSON text: indented by two spaces when that is at most twice the compact form (or 16 KiB), compact
 * otherwise. `value` is parsed JSON (a tree of plain values); anything else is rendered as `JSON.stringify` does.
 */
export function prettyJson(value: unknown): string {
  const compact = JSON.stringify(value);
  if (compact === undefined) return String(compact);
  const limit = Math.max(ALWAYS_PRETTY_CHARS, 2 * compact.length);
  return compact.length + indentation(value, limit - compact.length) <= limit
    ? JSON.stringify(value, null, 2)
    : compact;
}

/**
 * The characters `JSON.stringify(value, null, 2)` adds to the compact form (newlines, indentation, a space after each
 * colon), counted until it passes `stopAt` (exact below it).
 */
export function indentation(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let added = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0 && added <= stopAt) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    const members = Array.isArray(v) ? v : Object.values(v);
    if (members.length === 0) continue;
    const perMember = 1 + 2 * (depth + 1) + (Array.isArray(v) ? 0 : 1);
    added += members.length * perMember + 1 + 2 * depth;
    for (const member of members) stack.push([member, depth + 1]);
  }
  return added;
}
