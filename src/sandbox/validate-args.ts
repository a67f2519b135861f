/**
 * @module sandbox/validate-args
 * Validates tool arguments on the host against the tool's input schema before anything is sent upstream.
 * `@cfworker/json-schema` interprets schemas (no code generation, which Workers refuse), and validators are cached
 * per tool definition hash, least recently used evicted first, bounded by count and by their schemas' size. Messages name the path and the expectation: `/path: expected string, got number`.
 *
 * The check is bounded whoever wrote the schema: the validator gets the schema as schema-bounds.ts copies it (without
 * `format` and `uniqueItems`), only when its structure applies few subschemas to each value, and only for arguments
 * small enough for that structure; its patterns match in bounded time (host-patterns.ts). Anything the host cannot
 * check within those bounds is left to the upstream server, as a schema the validator cannot read always was.
 */
import { type OutputUnit, Validator } from "@cfworker/json-schema";
import type { CatalogTool, JsonSchema } from "../registry/registry-types";
import { SizedLru } from "../shared/sized-lru";
import { withBoundedPatterns } from "./host-patterns";
import { formatList, SuggestBudget, suggest } from "./prepare-suggest";
import { boundSchema } from "./schema-bounds";
import { compileFastCheck, type FastCheck } from "./schema-fast-path";
import { valueMismatch } from "./value-mismatch";

const MAX_ERRORS_SHOWN = 5;
/** Property names an unknown-property message lists as allowed (a schema may declare hundreds). */
const MAX_ALLOWED_SHOWN = 20;
/** Longest unknown property name quoted in a message (the name is the caller's data, of any length). */
const MAX_NAME_SHOWN = 64;
/**
 * Subschema applications one validation may take, estimated as the values in the arguments times the most
 * subschemas the schema applies to one value (schema-bounds.ts); over it, the upstream judges.
 */
export const MAX_VALIDATION_WORK = 2_000_000;
/** Schemas applying at most this many subschemas to a value validate without counting the arguments first. */
const CHEAP_APPLICATIONS = 4;

/** A schema's validator, and its quick check for values that are certainly valid (schema-fast-path.ts), if any. */
interface Compiled {
  validator: Validator;
  /** The bounded copy the validator runs, for the property names an unknown-property message lists. */
  schema: JsonSchema;
  fast: FastCheck | null;
  /** The most subschemas the schema applies to one value of the arguments. */
  applications: number;
}
/** Most validators kept (an isolate's sessions share them: one per tool definition, across servers). */
export const MAX_CACHED_VALIDATORS = 5_000;
/**
 * Most characters of schema JSON the kept validators stand for. A compiled validator holds its schema (and its own
 * index of it), so the JSON's length estimates its memory: a few schemas of megabytes must not hold the isolate's
 * memory the way 5,000 of a kilobyte would not.
 */
export const MAX_CACHED_SCHEMA_CHARS = 16 * 1024 * 1024;
/** What an entry costs besides its schema (the key, the entry itself): a schema that cannot be checked has none. */
const ENTRY_OVERHEAD_CHARS = 256;

const cache = new SizedLru<Compiled | null>({ maxEntries: MAX_CACHED_VALIDATORS, maxSize: MAX_CACHED_SCHEMA_CHARS });

/** How many validators are kept, and the schema characters they stand for (for tests and diagnostics). */
export function validatorCacheUse(): { count: number; chars: number; has(key: string): boolean } {
  return { count: cache.count, chars: cache.size, has: (key) => cache.has(key) };
}

function validatorFor(key: string, schema: JsonSchema): Compiled | null {
  let v = cache.get(key);
  if (v === undefined) {
    let chars = 0;
    try {
      const draft = typeof schema === "object" && String(schema.$schema ?? "").includes("2020-12") ? "2020-12" : "7";
      const bounded = boundSchema(schema);
      // Measured on the copy the validator keeps, once per compilation (which walks the whole schema anyway).
      chars = bounded.ok ? JSON.stringify(bounded.schema).length : 0;
      v = bounded.ok
        ? {
            validator: new Validator(bounded.schema as never, draft, false),
            schema: bounded.schema,
            fast: compileFastCheck(bounded.schema),
            applications: bounded.applications,
          }
        : null;
    } catch {
      // An upstream schema the validator cannot read is not the caller's fault: let the upstream judge.
      v = null;
    }
    cache.set(key, v, key.length + chars + ENTRY_OVERHEAD_CHARS);
  }
  return v;
}

function pointer(location: string): string {
  const p = location.replace(/^#/, "");
  return p === "" ? "/" : p;
}

function describe(unit: OutputUnit): string | undefined {
  const where = pointer(unit.instanceLocation);
  const typeMismatch = /Instance type "(\w+)" is invalid\. Expected "(.+)"\./.exec(unit.error);
  if (typeMismatch) return `${where}: expected ${typeMismatch[2]!.replaceAll('", "', " or ")}, got ${typeMismatch[1]}`;
  const missing = /does not have required property "(.+)"/.exec(unit.error);
  if (missing) return `${where === "/" ? "" : where}/${missing[1]}: required property is missing`;
  if (unit.keyword === "false") return `${where}: no value is allowed here (the schema is false)`;
  if (unit.error === "A subschema had errors." || unit.error.startsWith("Property ")) return undefined;
  return `${where}: ${unit.error.replace(/^Instance /, "value ")}`;
}

/** Keywords whose false schema refuses the properties an object does not declare. */
const EXTRA_PROPERTIES = new Set(["additionalProperties", "unevaluatedProperties"]);

/**
 * Describes the validator's errors in order. The validator reports an undeclared property as two units, the parent's
 * "Property "x" does not match additional properties schema." and the child's "False boolean schema."; these become
 * one message naming the property, the declared ones and the closest of them. A value an enum refuses is named with
 * the closest allowed one likewise (value-mismatch.ts), from the caller's budget of edit-distance work.
 */
function describeAll(
  errors: readonly OutputUnit[],
  schema: JsonSchema,
  args: unknown,
  budget: SuggestBudget,
): string[] {
  const out: string[] = [];
  const declared = new Map<string, string[] | undefined>();
  for (let i = 0; i < errors.length; i++) {
    const unit = errors[i]!;
    const child = errors[i + 1];
    if (
      EXTRA_PROPERTIES.has(unit.keyword) &&
      child?.keyword === "false" &&
      child.instanceLocation.startsWith(`${unit.instanceLocation}/`)
    ) {
      i++;
      const at = unit.keywordLocation.slice(0, unit.keywordLocation.lastIndexOf("/"));
      if (!declared.has(at)) declared.set(at, declaredProperties(schema, at));
      out.push(unknownProperty(child, declared.get(at), budget));
      continue;
    }
    const message =
      unit.keyword === "pattern"
        ? patternMismatch(unit, schema)
        : unit.keyword === "enum" || unit.keyword === "const"
          ? valueMismatch(
              pointer(unit.instanceLocation),
              unit.keyword,
              schemaAt(schema, unit.keywordLocation),
              instanceAt(args, unit.instanceLocation),
              budget,
            )
          : describe(unit);
    if (message) out.push(message);
  }
  return out;
}

/** Longest pattern quoted in a message (a schema's pattern is the upstream's text, of any length). */
const MAX_PATTERN_SHOWN = 120;

/** `/s: String does not match pattern "^[a-z]+$".`, the pattern read from the schema and cut. */
function patternMismatch(unit: OutputUnit, schema: JsonSchema): string {
  const where = pointer(unit.instanceLocation);
  const pattern = schemaAt(schema, unit.keywordLocation);
  if (typeof pattern !== "string") return `${where}: String does not match the schema's pattern.`;
  const shown = pattern.length > MAX_PATTERN_SHOWN ? `${pattern.slice(0, MAX_PATTERN_SHOWN)}…` : pattern;
  return `${where}: String does not match pattern ${JSON.stringify(shown)}.`;
}

function unknownProperty(unit: OutputUnit, allowed: string[] | undefined, budget: SuggestBudget): string {
  const where = pointer(unit.instanceLocation);
  const name = decodeSegment(unit.instanceLocation.slice(unit.instanceLocation.lastIndexOf("/") + 1));
  const shown = JSON.stringify(name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}…` : name);
  if (allowed === undefined) return `${where}: unknown property ${shown} (the schema allows no other properties)`;
  const close = suggest(name, allowed, 2, budget).map((s) => JSON.stringify(s));
  const hint = close.length > 0 ? `; did you mean ${close.join(" or ")}?` : "";
  return `${where}: unknown property ${shown} (allowed: ${formatList(allowed, MAX_ALLOWED_SHOWN)}${hint})`;
}

/** One segment of a JSON pointer as the validator writes it (escaped `~0`/`~1`, then URI-encoded). */
function decodeSegment(segment: string): string {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // Left as written: the validator encodes every segment, so this is not expected.
  }
  return text.replaceAll("~1", "/").replaceAll("~0", "~");
}

const isTable = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The property names the subschema at `location` declares (a keyword location such as `#/properties/opts`, through
 * local `$ref`s as the validator followed them), or undefined when it cannot be found. Steps only through own
 * properties: the location holds names from the schema, which came from outside.
 */
function declaredProperties(root: JsonSchema, location: string): string[] | undefined {
  const node = schemaAt(root, location);
  const properties = isTable(node) ? node.properties : undefined;
  return isTable(properties) ? Object.keys(properties) : undefined;
}

/** The part of the schema at a keyword location (`#/properties/s/pattern`), through local `$ref`s, or undefined. */
function schemaAt(root: JsonSchema, location: string): unknown {
  let node: unknown = root;
  for (const raw of location.split("/").slice(1)) {
    const segment = decodeSegment(raw);
    if (segment === "$ref" && isTable(node) && typeof node.$ref === "string" && node.$ref.startsWith("#")) {
      node = resolveLocal(root, node.$ref);
    } else if (isTable(node) || Array.isArray(node)) {
      node = Object.hasOwn(node, segment) ? (node as Record<string, unknown>)[segment] : undefined;
    } else return undefined;
  }
  return node;
}

/** The value at an instance location (`#/opts/mode`) of the arguments, or undefined; own properties only. */
function instanceAt(args: unknown, location: string): unknown {
  let node = args;
  for (const raw of location.split("/").slice(1)) {
    const segment = decodeSegment(raw);
    if (!(isTable(node) || Array.isArray(node)) || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** The subschema a local `$ref` ("#", "#/$defs/x") names, or undefined. */
function resolveLocal(root: JsonSchema, ref: string): unknown {
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const segment = decodeSegment(raw);
    if (!(isTable(node) || Array.isArray(node)) || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Validates a tool's arguments: undefined when valid, else a readable message listing the first few problems. */
/**
 * Validates a tool call's arguments. `suggestions` bounds the "did you mean" work of the message; an execution passes
 * one budget for all its calls, so a flood of refused calls cannot add up to unbounded work.
 */
export function validateArgs(tool: CatalogTool, args: unknown, suggestions?: SuggestBudget): string | undefined {
  return validateValue(
    `tool\u0000${tool.server}\u0000${tool.name}\u0000${tool.hash}`,
    tool.inputSchema,
    args,
    suggestions,
  );
}

/** Validates `value` against `schema` (validators cached by `cacheKey`, which must change when the schema does). */
export function validateValue(
  cacheKey: string,
  schema: JsonSchema,
  args: unknown,
  suggestions: SuggestBudget = new SuggestBudget(),
): string | undefined {
  const compiled = validatorFor(cacheKey, schema);
  if (!compiled) return undefined;
  if (compiled.fast?.(args)) return undefined;
  if (compiled.applications > CHEAP_APPLICATIONS) {
    const values = countValues(args, Math.floor(MAX_VALIDATION_WORK / compiled.applications));
    if (values * compiled.applications > MAX_VALIDATION_WORK) return undefined;
  }
  let result: ReturnType<Validator["validate"]>;
  try {
    result = withBoundedPatterns(() => compiled.validator.validate(args));
  } catch {
    return undefined;
  }
  if (result.valid) return undefined;
  const messages = [...new Set(describeAll(result.errors, compiled.schema, args, suggestions))];
  const shown = messages.slice(0, MAX_ERRORS_SHOWN);
  const more = messages.length > shown.length ? ` (and ${messages.length - shown.length} more)` : "";
  return `invalid arguments: ${shown.join("; ") || "they do not match the input schema"}${more}`;
}

/** The values in `value` (parsed JSON, so a tree), counting stopped past `limit`. */
function countValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= limit) {
    const v = stack.pop();
    count++;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (typeof v === "object" && v !== null)
      for (const key of Object.keys(v)) stack.push((v as Record<string, unknown>)[key]);
  }
  return count;
}
