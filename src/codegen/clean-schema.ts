/**
 * @module codegen/clean-schema
 * The display copy of an upstream JSON Schema: `get_tool_details` returns input and output schemas as data, and
 * their prose (`description`, `title`, `$comment`) is untrusted upstream text like any tool description, so it
 * is cleaned and capped the same way. Values that carry meaning (`enum`, `const`, `default`, `examples`,
 * `pattern`, property names) are left exactly as the upstream sent them: the model must pass them verbatim.
 * Validation always uses the original schema; this copy is only shown.
 */
import { cleanText } from "./clean";
import { MAX_PROPERTY_DESCRIPTION } from "./schema-docs";

/** Deepest nesting copied; deeper subtrees are replaced by a note (upstream schemas may be absurdly deep). */
export const MAX_SCHEMA_DEPTH = 64;
/** Most schema nodes copied; the rest are replaced by a note. */
export const MAX_SCHEMA_NODES = 20_000;

const PROSE_KEYS = new Set(["description", "title", "$comment"]);
/** Keys whose value maps arbitrary names to subschemas: the names are data, never keywords. */
const NAME_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
/** Keys whose values are instance data, kept verbatim. */
const DATA_KEYS = new Set(["enum", "const", "default", "examples", "example"]);

const TRUNCATED = Object.freeze({ $comment: "(truncated by the gateway: schema too deep or too large)" });

/** A copy of `schema` with every prose string cleaned of hidden characters and capped. */
export function cleanSchemaText(schema: unknown): unknown {
  let budget = MAX_SCHEMA_NODES;
  const copy = (node: unknown, depth: number, nameMap: boolean): unknown => {
    if (node === null || typeof node !== "object") return node;
    if (depth > MAX_SCHEMA_DEPTH || --budget < 0) return TRUNCATED;
    if (Array.isArray(node)) return node.map((item) => copy(item, depth + 1, false));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      let child: unknown;
      if (nameMap) child = copy(value, depth + 1, false);
      else if (DATA_KEYS.has(key)) child = value;
      else if (PROSE_KEYS.has(key) && typeof value === "string") child = cleanText(value, MAX_PROPERTY_DESCRIPTION);
      else child = copy(value, depth + 1, NAME_MAPS.has(key));
      // defineProperty: a property named "__proto__" stays an ordinary own key of the copy.
      Object.defineProperty(out, key, { value: child, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return copy(schema, 0, false);
}
