/**
 * JSDoc lines for one JSON Schema (a property, a named definition): what the TypeScript type cannot say —
 * the description, default, format, examples and validation constraints. Everything is untrusted: text is
 * cleaned, values are JSON with invisible characters escaped, and every piece is capped.
 */
import { cleanText } from "./clean.js";
import { jsonPreview } from "./literal.js";

/** Cap of a description in property documentation (the tool's own description is not capped). */
export const MAX_PROPERTY_DESCRIPTION = 1000;
/** Cap of a JSON value shown in `@default` / `@example`. */
const MAX_VALUE_JSON = 200;
/** Cap of a short text value (`@format`, `@pattern`). */
const MAX_SHORT_TEXT = 200;
/** At most this many entries of `examples` are shown. */
const MAX_EXAMPLES = 3;

/** Numeric constraints noted as `@<keyword> <value>`, in this order. */
const NUMERIC_KEYWORDS = [
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
] as const;

/** Documentation lines for `schema` (empty when there is nothing to say or it is not an object schema). */
export function schemaDocLines(schema: unknown): string[] {
  if (!isRecord(schema)) return [];
  const lines: string[] = [];
  const description = cleanText(own(schema, "description"), MAX_PROPERTY_DESCRIPTION);
  if (description) lines.push(description);
  if (own(schema, "deprecated") === true) lines.push("@deprecated");
  if (Object.hasOwn(schema, "default")) {
    const json = jsonPreview(own(schema, "default"), MAX_VALUE_JSON);
    if (json !== undefined) lines.push(`@default ${json}`);
  }
  const format = shortText(own(schema, "format"));
  if (format) lines.push(`@format ${format}`);
  for (const keyword of NUMERIC_KEYWORDS) {
    const value = own(schema, keyword);
    if (typeof value === "number" && Number.isFinite(value)) lines.push(`@${keyword} ${value}`);
  }
  const pattern = shortText(own(schema, "pattern"));
  if (pattern) lines.push(`@pattern ${pattern}`);
  for (const example of examplesOf(schema)) {
    const json = jsonPreview(example, MAX_VALUE_JSON);
    if (json !== undefined) lines.push(`@example ${json}`);
  }
  return lines;
}

/** `examples` (draft-06+) entries, or the OpenAPI-style single `example`, capped. */
function examplesOf(schema: Record<string, unknown>): unknown[] {
  const examples = own(schema, "examples");
  if (Array.isArray(examples)) return examples.slice(0, MAX_EXAMPLES);
  return Object.hasOwn(schema, "example") ? [own(schema, "example")] : [];
}

/** A cleaned single-line string, or `""` when `value` is not a string. */
function shortText(value: unknown): string {
  return cleanText(value, MAX_SHORT_TEXT).replace(/\s+/g, " ");
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An own property only: hostile schemas must not reach `Object.prototype` through keys like `constructor`. */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
