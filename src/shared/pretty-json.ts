/**
 * @module shared/pretty-json
 * The readable JSON of tool results' text rendering, bounded and spent sparingly: a model reads it, and every line
 * break and indent costs tokens. {@link prettyJson} writes a value on one line when it fits in {@link WIDTH}
 * characters, packs arrays of plain values into lines, and indents only what does not fit: 2,000 numbers take 4 KB
 * instead of 14 KB indented one per line, and a list of small records takes one line per record.
 *
 * `JSON.stringify(value, null, 2)` indents every value by its depth, so a 200 KB result nested 195 levels deep became
 * 39.5 MB of text (and a `2^12`-shared array 512 KB of indentation for 25 KB of data). The fully indented form is an
 * upper bound of this one, so {@link indentation} counts what it would add, without building it, and the value is
 * written compactly when that would be much larger than the data.
 */

/** The pretty form is used up to this size whatever the data's size. */
const ALWAYS_PRETTY_CHARS = 16 * 1024;
/** A line's length before a value is broken over several lines. */
const WIDTH = 100;

/**
 * `value` as JSON text: one line per value that fits in {@link WIDTH} characters, indented by two spaces otherwise,
 * when the indented form is at most twice the compact one (or 16 KiB); compact JSON otherwise. `value` is parsed JSON
 * (a tree of plain values); anything else is rendered as `JSON.stringify` does.
 */
export function prettyJson(value: unknown): string {
  const compact = JSON.stringify(value);
  if (compact === undefined) return String(compact);
  const limit = Math.max(ALWAYS_PRETTY_CHARS, 2 * compact.length);
  if (compact.length + indentation(value, limit - compact.length) > limit || !isPlainTree(value)) return compact;
  const widths = inlineWidths(value);
  return write(value, "", widths);
}

/** Whether `value` holds only what JSON.parse makes (no toJSON, no class instances, no sparse or odd members). */
function isPlainTree(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (typeof v !== "object") return false;
    const proto = Object.getPrototypeOf(v);
    if (Array.isArray(v) ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return false;
    if (!Array.isArray(v) && Object.hasOwn(v, "toJSON")) return false;
    for (const member of Array.isArray(v) ? v : Object.values(v)) stack.push(member);
  }
  return true;
}

/** The length of each container written on one line (`[1, 2]`, `{"a": 1}`), computed bottom-up in one pass. */
function inlineWidths(root: unknown): Map<object, number> {
  const widths = new Map<object, number>();
  const width = (v: unknown): number =>
    typeof v === "object" && v !== null ? (widths.get(v) ?? 0) : JSON.stringify(v).length;
  const stack: Array<[object, boolean]> = typeof root === "object" && root !== null ? [[root, false]] : [];
  while (stack.length > 0) {
    const [v, visited] = stack.pop()!;
    const members = Array.isArray(v) ? v : Object.values(v);
    if (!visited) {
      stack.push([v, true]);
      for (const m of members) if (typeof m === "object" && m !== null) stack.push([m, false]);
      continue;
    }
    let w = 2 + Math.max(0, members.length - 1) * 2;
    if (Array.isArray(v)) for (const m of v) w += width(m);
    else for (const [k, m] of Object.entries(v)) w += JSON.stringify(k).length + 2 + width(m);
    widths.set(v, w);
  }
  return widths;
}

/** `value` written at `indent`, on a line that also holds `lead` characters (a key, a comma after it). */
function write(value: unknown, indent: string, widths: Map<object, number>, lead = 0): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const inner = `${indent}  `;
  const fits = indent.length + lead + (widths.get(value) ?? 0) <= WIDTH;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (fits) return `[${value.map((m) => write(m, "", widths)).join(", ")}]`;
    if (value.every((m) => typeof m !== "object" || m === null)) return `[\n${pack(value, inner)}\n${indent}]`;
    return `[\n${value.map((m) => inner + write(m, inner, widths, 1)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  if (fits) return `{${entries.map(([k, m]) => `${JSON.stringify(k)}: ${write(m, "", widths)}`).join(", ")}}`;
  const lines = entries.map(([k, m]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${write(m, inner, widths, key.length + 1)}`;
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/** Plain values as lines of at most {@link WIDTH} characters (one value a line when a value alone is longer). */
function pack(values: unknown[], indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const [i, v] of values.entries()) {
    const text = JSON.stringify(v) + (i < values.length - 1 ? "," : "");
    if (line && indent.length + line.length + 1 + text.length > WIDTH) {
      lines.push(indent + line);
      line = text;
    } else line = line ? `${line} ${text}` : text;
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
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
