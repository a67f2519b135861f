/**
 * @module sandbox/value-mismatch
 * What the host's argument check (validate-args.ts) says when a value is not one its schema's `enum` or `const`
 * allows: the allowed values read from the schema, the first few each cut, and the closest of them to the value given,
 * so that a model that wrote `"Descending"` or `"decending"` for `"descending"` fixes it in one retry:
 * `/order: value is not one of the allowed values: "ascending", "descending" (did you mean "descending"?)`.
 *
 * The schema and the value both come from outside (an upstream, the sandbox's code), so the search is bounded: only
 * the first {@link MAX_ENUM_EXAMINED} allowed values are looked at, texts are compared case-insensitively only up to
 * {@link MAX_EXACT_LENGTH} characters, and edit distances go through prepare-suggest.ts, which compares at most 64
 * characters of each and spends from the validation's SuggestBudget.
 */
import { comparedDistance, SuggestBudget, suggest } from "./prepare-suggest";

/** Allowed values an enum message lists (the validator's own message embeds the whole enum, of any size). */
export const MAX_ENUM_SHOWN = 10;
/** Longest JSON of one allowed value (or of a const) quoted in a message. */
const MAX_VALUE_SHOWN = 60;
/** Allowed values compared with the one given, from the start of the enum; past them, nothing is suggested. */
export const MAX_ENUM_EXAMINED = 1_000;
/** Longest text compared whole (ignoring case): longer values and allowed values are never "the same but for case". */
const MAX_EXACT_LENGTH = 1_000;
/** Values a "did you mean" names. */
const MAX_SUGGESTED = 2;

/** One value as JSON, cut. */
function shownValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_VALUE_SHOWN ? `${json.slice(0, MAX_VALUE_SHOWN)}…` : json;
}

/** A string, number, boolean or null as the text a model may have meant it as (`"2"` for 2), else undefined. */
function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return undefined;
}

/**
 * The allowed values closest to `given`, best first, or none. The same text but for case or type (`"Fast"` for
 * `"fast"`, `"2"` for 2) wins outright; otherwise, for a string, the allowed strings nearest in edit distance.
 */
export function closestAllowed(given: unknown, allowed: readonly unknown[], budget: SuggestBudget): unknown[] {
  const examined = allowed.slice(0, MAX_ENUM_EXAMINED);
  const text = textOf(given);
  if (text === undefined) return [];
  if (text.length <= MAX_EXACT_LENGTH) {
    const sameLength = examined.filter((candidate) => candidate !== given && textOf(candidate)?.length === text.length);
    // Lowercasing is charged like edit-distance cells: one per character compared.
    if (sameLength.length > 0 && budget.take(sameLength.length * (text.length + 1))) {
      const lower = text.toLowerCase();
      const same = sameLength.filter((candidate) => textOf(candidate)!.toLowerCase() === lower);
      if (same.length > 0) return same.slice(0, MAX_SUGGESTED);
    }
  }
  if (typeof given !== "string") return [];
  const strings = [...new Set(examined.filter((c): c is string => typeof c === "string"))];
  const close = suggest(given, strings, MAX_SUGGESTED, budget);
  // Of an enum's few values several are often within reach ("decending" is 2 edits from "ascending" too): name only
  // the nearest, and more than one only when they are equally near.
  const distances = close.map((name) => comparedDistance(given, name));
  const nearest = Math.min(...distances);
  return close.filter((_, i) => distances[i] === nearest);
}

/**
 * `/mode: value is not one of the allowed values: "a", "b", … and 9,990 more (did you mean "c"?)`, or for a const
 * `/kind: value must be "file"`; `allowed` is the enum (or const) read from the schema, `given` the value refused.
 */
export function valueMismatch(
  where: string,
  keyword: "enum" | "const",
  allowed: unknown,
  given: unknown,
  budget: SuggestBudget = new SuggestBudget(),
): string {
  if (keyword === "const") return `${where}: value must be ${shownValue(allowed)}`;
  if (!Array.isArray(allowed)) return `${where}: value is not one of the schema's allowed values`;
  const shown = allowed.slice(0, MAX_ENUM_SHOWN).map(shownValue).join(", ");
  const rest = allowed.length - MAX_ENUM_SHOWN;
  const more = rest > 0 ? `, … and ${rest.toLocaleString("en-US")} more` : "";
  const close = closestAllowed(given, allowed, budget).map(shownValue);
  const hint = close.length > 0 ? ` (did you mean ${close.join(" or ")}?)` : "";
  return `${where}: value is not one of the allowed values: ${shown}${more}${hint}`;
}
