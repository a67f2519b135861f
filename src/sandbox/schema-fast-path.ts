/**
 * @module sandbox/schema-fast-path
 * A quick "certainly valid" check for the plain input schemas most tools have (typed properties, required keys,
 * enums, bounds, arrays of those), so that a tool call with valid arguments does not pay for the full validator.
 * `@cfworker/json-schema` interprets a schema keyword by keyword and builds a JSON pointer for every property it
 * visits, success or not: about a third of the host's work per call to a fast tool (bench, `sequential_calls`).
 *
 * The check is only ever a shortcut to "valid". It answers `true` when the value satisfies the schema under the
 * rules the full validator applies (validate-args.ts, the same draft); anything else, a value that fails or one it
 * cannot judge, goes to the full validator, which decides and words the errors. A schema with any keyword outside
 * the small set below (`$ref`, `pattern`, `format`, `oneOf`, `not`, conditionals, unevaluated*, tuples, ...) or any
 * malformed one gets no check at all, so its calls are validated exactly as before.
 */
import { ucs2length } from "@cfworker/json-schema";
import type { JsonSchema } from "../registry/registry-types";

/** Answers `true` only for a value the full validator accepts; `false` means "ask the full validator". */
export type FastCheck = (value: unknown) => boolean;

/** Keywords that describe and never constrain: the full validator ignores them, and so does the check. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "default",
  "examples",
  "readOnly",
  "writeOnly",
  "deprecated",
  // Definitions constrain nothing unless a `$ref` points at them, and a schema with `$ref` gets no check.
  "$defs",
  "definitions",
]);

/** How deep a schema's subschemas may nest for the check; deeper ones (never seen in real tools) get none. */
const MAX_DEPTH = 32;
/** Subschemas per schema for the check; larger schemas are validated by the full validator alone. */
const MAX_NODES = 2_000;

const TYPES = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);

/** Thrown inside compile when the schema is outside the check's rules; compileFastCheck answers null for it. */
class Unsupported extends Error {}

type Primitive = string | number | boolean | null;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): v is Primitive {
  return v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

function count(schema: unknown): number {
  if (typeof schema !== "number" || !Number.isInteger(schema) || schema < 0) throw new Unsupported();
  return schema;
}

function bound(schema: unknown): number {
  if (typeof schema !== "number" || !Number.isFinite(schema)) throw new Unsupported();
  return schema;
}

/** The type of a JSON value as the full validator names it (`integer` is a number with no fraction). */
function typeMatches(value: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    case "integer":
      return typeof value === "number" && value % 1 === 0;
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    default:
      return isPlainObject(value);
  }
}

class Compiler {
  #nodes = 0;

  compile(schema: unknown, depth: number): FastCheck {
    if (++this.#nodes > MAX_NODES || depth > MAX_DEPTH) throw new Unsupported();
    if (schema === true) return () => true;
    if (!isPlainObject(schema)) throw new Unsupported();
    const checks: FastCheck[] = [];
    for (const [keyword, arg] of Object.entries(schema)) {
      if (ANNOTATIONS.has(keyword)) continue;
      checks.push(this.#keyword(schema, keyword, arg, depth));
    }
    if (checks.length === 0) return () => true;
    if (checks.length === 1) return checks[0]!;
    return (value) => {
      for (const check of checks) if (!check(value)) return false;
      return true;
    };
  }

  #keyword(schema: Record<string, unknown>, keyword: string, arg: unknown, depth: number): FastCheck {
    switch (keyword) {
      case "type": {
        const types = Array.isArray(arg) ? arg : [arg];
        if (types.length === 0 || !types.every((t) => typeof t === "string" && TYPES.has(t))) throw new Unsupported();
        if (types.length === 1) {
          const only = types[0] as string;
          return (value) => typeMatches(value, only);
        }
        return (value) => types.some((t) => typeMatches(value, t as string));
      }
      case "enum": {
        if (!Array.isArray(arg) || !arg.every(isPrimitive)) throw new Unsupported();
        const values = new Set<unknown>(arg);
        return (value) => isPrimitive(value) && values.has(value);
      }
      case "const": {
        if (!isPrimitive(arg)) throw new Unsupported();
        return (value) => value === arg;
      }
      case "properties":
        return this.#properties(schema, arg, depth);
      case "additionalProperties":
        // Judged with `properties`, which knows the names it covers.
        if (!isPlainObject(schema.properties) && schema.properties !== undefined) throw new Unsupported();
        if (schema.properties === undefined) return this.#properties(schema, {}, depth);
        return () => true;
      case "required": {
        if (!Array.isArray(arg) || !arg.every((k) => typeof k === "string")) throw new Unsupported();
        const keys = arg as string[];
        return (value) => !isPlainObject(value) || keys.every((k) => Object.hasOwn(value, k));
      }
      case "minProperties":
      case "maxProperties": {
        const n = count(arg);
        const min = keyword === "minProperties";
        return (value) => {
          if (!isPlainObject(value)) return true;
          const size = Object.keys(value).length;
          return min ? size >= n : size <= n;
        };
      }
      case "items": {
        // The array form (a tuple) means different things in different drafts: left to the full validator.
        const item = this.compile(arg, depth + 1);
        return (value) => {
          if (!Array.isArray(value)) return true;
          for (const v of value) if (!item(v)) return false;
          return true;
        };
      }
      case "minItems":
      case "maxItems": {
        const n = count(arg);
        const min = keyword === "minItems";
        return (value) => !Array.isArray(value) || (min ? value.length >= n : value.length <= n);
      }
      case "minLength":
      case "maxLength": {
        const n = count(arg);
        const min = keyword === "minLength";
        return (value) => {
          if (typeof value !== "string") return true;
          // A string's UTF-16 length bounds its code points from above, and half of it from below.
          if (min ? value.length >= 2 * n : value.length <= n) return true;
          // Counted as the full validator counts it: code points, a surrogate pair being one.
          const length = ucs2length(value);
          return min ? length >= n : length <= n;
        };
      }
      case "minimum": {
        const n = bound(arg);
        return (value) => typeof value !== "number" || value >= n;
      }
      case "maximum": {
        const n = bound(arg);
        return (value) => typeof value !== "number" || value <= n;
      }
      case "exclusiveMinimum": {
        // A boolean here is draft 4's modifier of `minimum`: not a draft the gateway validates with.
        const n = bound(arg);
        return (value) => typeof value !== "number" || value > n;
      }
      case "exclusiveMaximum": {
        const n = bound(arg);
        return (value) => typeof value !== "number" || value < n;
      }
      case "anyOf":
      case "allOf": {
        if (!Array.isArray(arg) || arg.length === 0) throw new Unsupported();
        const branches = arg.map((s) => this.compile(s, depth + 1));
        return keyword === "anyOf"
          ? (value) => branches.some((b) => b(value))
          : (value) => branches.every((b) => b(value));
      }
      default:
        throw new Unsupported();
    }
  }

  /** `properties` with this schema's `additionalProperties` (absent, a boolean or a schema). */
  #properties(schema: Record<string, unknown>, arg: unknown, depth: number): FastCheck {
    if (!isPlainObject(arg)) throw new Unsupported();
    // A Map: property names are the upstream's data, `constructor` and `__proto__` among them.
    const props = new Map<string, FastCheck>();
    for (const [name, sub] of Object.entries(arg)) props.set(name, this.compile(sub, depth + 1));
    const extra = schema.additionalProperties;
    const rest: FastCheck | null =
      extra === undefined || extra === true ? null : extra === false ? () => false : this.compile(extra, depth + 1);
    return (value) => {
      if (!isPlainObject(value)) return true;
      for (const key of Object.keys(value)) {
        const check = props.get(key);
        if (check) {
          if (!check(value[key])) return false;
        } else if (rest && !rest(value[key])) {
          return false;
        }
      }
      return true;
    };
  }
}

/**
 * The check for a schema, or null when the schema is outside the check's rules (its values then always go to the
 * full validator). Compiling walks the schema once; keep the result with the schema's validator.
 */
export function compileFastCheck(schema: JsonSchema): FastCheck | null {
  try {
    return new Compiler().compile(schema, 0);
  } catch {
    // Outside the rules (Unsupported) or anything unforeseen: the full validator alone judges, as it always did.
    return null;
  }
}
