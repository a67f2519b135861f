/**
 * JSON Schema (draft-07 and 2020-12, plus OpenAPI's `nullable`) to TypeScript type expressions, for the
 * declarations the model reads. Schemas are untrusted: the walk is bounded in depth (checked before every
 * recursion, so a 100,000-deep schema costs `maxDepth` stack frames), in output size (a running budget;
 * whatever does not fit becomes `unknown`), and cycles terminate (JS object cycles via an ancestor set,
 * `$ref` cycles via named definitions or, when inlining, the same ancestor set). Only own properties are read.
 *
 * Whenever something is cut, the type is widened, never narrowed: a partial object gets an index signature,
 * an over-long enum becomes its base types, a partial union becomes `unknown`.
 */
import type { JsonSchema } from "../registry/registry-types";
import { toTypeName } from "./names";
import { isRecord, own, schemaDocLines } from "./schema-docs";
import { refBaseName, resolveRef } from "./schema-refs";
import { arrayType, atom, literalUnion, objectType, type ShapeContext } from "./schema-shapes";
import { type Emitted, intersection, NEVER, NULL, UNKNOWN, union } from "./schema-type-algebra";

/** Options of `schemaToType`. */
export interface SchemaToTypeOptions {
  /** Subschemas nested deeper than this below the root become `unknown` (default 8, at most 64). */
  maxDepth?: number;
  /** Output budget in characters, definitions included (default 20,000); the rest becomes `unknown`. */
  maxLength?: number;
  /** One line, no JSDoc (for search listings). */
  compact?: boolean;
}

/** Options of `schemaToTypes`. */
export interface SchemaToTypesOptions extends SchemaToTypeOptions {
  /** Expand `$ref`s in place (a cycle becomes `unknown`) instead of emitting named definitions. */
  inlineRefs?: boolean;
  /** Prefix of definition names: `ReadFile` + `$defs/Node` → `ReadFileNode`. */
  namePrefix?: string;
  /** Name the caller declares the root type under; a `$ref` to `#` then refers to it. */
  rootName?: string;
  /** Names definitions must not take (the caller's other declarations). */
  reservedNames?: ReadonlySet<string>;
}

/** A named type a `$ref` points at, to be declared once next to the type that uses it. */
export interface TypeDefinition {
  name: string;
  /** Type expression (the right-hand side of `type Name = …`). */
  type: string;
  /** `type` is a plain object literal, so it can be declared as `interface Name { … }`. */
  isObject: boolean;
  /** Documentation lines of the referenced schema (for `docComment`). */
  doc: string[];
}

/** Result of `schemaToTypes`. */
export interface SchemaTypes {
  type: string;
  /** `type` is a plain object literal, so it can be declared as an interface. */
  isObject: boolean;
  definitions: TypeDefinition[];
  /** Something was replaced by `unknown` because of the depth or size cap. */
  truncated: boolean;
}

const DEFAULT_MAX_DEPTH = 8;
const MAX_MAX_DEPTH = 64;
const DEFAULT_MAX_LENGTH = 20_000;
/** Global names the declarations rely on: definitions never shadow them. */
const GLOBAL_NAMES = ["Promise", "Array", "Record", "Object"];

interface Context extends ShapeContext {
  root: unknown;
  maxDepth: number;
  inlineRefs: boolean;
  prefix: string;
  rootName: string | undefined;
  ancestors: Set<object>;
  names: Map<object, string>;
  queue: Array<{ target: Record<string, unknown>; name: string }>;
  taken: Set<string>;
}

/**
 * A TypeScript type expression for `schema`, `$ref`s expanded in place (a `$ref` cycle becomes `unknown`).
 * Multi-line with per-property JSDoc unless `compact`.
 */
export function schemaToType(schema: JsonSchema, options: SchemaToTypeOptions = {}): string {
  return schemaToTypes(schema, { ...options, inlineRefs: true }).type;
}

/**
 * A TypeScript type expression for `schema` plus the named definitions its `$ref`s point at. A `$ref` inside a
 * property, index signature or array element becomes a reference to a named definition (emitted once, so
 * recursive schemas terminate); a `$ref` at the top of the root or of a definition is expanded in place, so
 * no definition is a bare alias of itself (`type A = A | null` is not valid TypeScript).
 */
export function schemaToTypes(schema: JsonSchema, options: SchemaToTypesOptions = {}): SchemaTypes {
  const ctx: Context = {
    root: schema,
    maxDepth: Math.max(0, Math.min(MAX_MAX_DEPTH, Math.floor(options.maxDepth ?? DEFAULT_MAX_DEPTH))),
    maxLength: Math.max(0, options.maxLength ?? DEFAULT_MAX_LENGTH),
    compact: options.compact ?? false,
    inlineRefs: options.inlineRefs ?? false,
    prefix: options.namePrefix ?? "",
    rootName: options.rootName,
    used: 0,
    truncated: false,
    ancestors: new Set(),
    names: new Map(),
    queue: [],
    taken: new Set([...GLOBAL_NAMES, ...(options.reservedNames ?? [])]),
    visit: (sub, depth, indent, guarded) => visit(ctx, sub, depth, indent, guarded),
  };
  if (ctx.rootName !== undefined) {
    ctx.taken.add(ctx.rootName);
    // The root, and what a root that is only a `$ref` points at, are declared by the caller as `rootName`.
    for (const target of refChain(schema)) ctx.names.set(target, ctx.rootName);
  }
  const root = visit(ctx, schema, 0, "", false);
  const definitions: TypeDefinition[] = [];
  // Definitions found while emitting definitions are appended to the queue: a loop, not recursion.
  for (let i = 0; i < ctx.queue.length; i++) {
    const { target, name } = ctx.queue[i]!;
    ctx.ancestors.clear();
    const body = visit(ctx, target, 0, "", false);
    const doc = ctx.compact ? [] : schemaDocLines(target);
    ctx.used += name.length + 16 + doc.reduce((sum, line) => sum + line.length + 4, 0);
    definitions.push({ name, type: body.text, isObject: body.object === true, doc });
  }
  return { type: root.text, isObject: root.object === true, definitions, truncated: ctx.truncated };
}

/** The type of one (sub)schema. Every recursion goes through here, after the depth and budget checks. */
function visit(ctx: Context, schema: unknown, depth: number, indent: string, guarded: boolean): Emitted {
  if (schema === true) return UNKNOWN;
  if (schema === false) return NEVER;
  if (!isRecord(schema)) return UNKNOWN;
  if (depth > ctx.maxDepth || ctx.used >= ctx.maxLength) {
    ctx.truncated = true;
    return UNKNOWN;
  }
  if (ctx.ancestors.has(schema)) return UNKNOWN;
  ctx.ancestors.add(schema);
  try {
    const type = visitSchema(ctx, schema, depth, indent, guarded);
    return own(schema, "nullable") === true ? union([type, NULL]) : type;
  } finally {
    ctx.ancestors.delete(schema);
  }
}

function visitSchema(
  ctx: Context,
  schema: Record<string, unknown>,
  depth: number,
  indent: string,
  guarded: boolean,
): Emitted {
  const ref = own(schema, "$ref");
  if (typeof ref === "string") return refType(ctx, ref, depth, indent, guarded);
  const parts: Emitted[] = [];
  const base = baseType(ctx, schema, depth, indent);
  if (base) parts.push(base);
  for (const keyword of ["anyOf", "oneOf"]) {
    const members = own(schema, keyword);
    if (!Array.isArray(members) || members.length === 0) continue;
    const types: Emitted[] = [];
    for (const member of members) {
      // A union cut short would be narrower than the schema: give up on it instead.
      if (ctx.used >= ctx.maxLength) {
        ctx.truncated = true;
        types.push(UNKNOWN);
        break;
      }
      types.push(visit(ctx, member, depth + 1, indent, guarded));
    }
    parts.push(union(types));
  }
  const all = own(schema, "allOf");
  if (Array.isArray(all)) {
    // An intersection cut short is wider than the schema, which is acceptable.
    for (const member of all) {
      if (ctx.used >= ctx.maxLength) break;
      parts.push(visit(ctx, member, depth + 1, indent, guarded));
    }
  }
  return intersection(parts);
}

function refType(ctx: Context, ref: string, depth: number, indent: string, guarded: boolean): Emitted {
  const target = resolveRef(ctx.root, ref);
  if (typeof target === "boolean") return target ? UNKNOWN : NEVER;
  if (!isRecord(target)) return UNKNOWN;
  if (ctx.inlineRefs || !guarded) return visit(ctx, target, depth + 1, indent, guarded);
  let name = ctx.names.get(target);
  if (name === undefined) {
    name = uniqueName(ctx, ctx.prefix + (refBaseName(ref) === "" ? "Root" : toTypeName(refBaseName(ref))));
    ctx.names.set(target, name);
    ctx.queue.push({ target, name });
  }
  return atom(ctx, name);
}

/** `schema` and the schemas its top-level `$ref` chain leads to (a chain of at most 32 links, cycles cut). */
function refChain(schema: unknown): Array<Record<string, unknown>> {
  const chain: Array<Record<string, unknown>> = [];
  let node = schema;
  while (isRecord(node) && !chain.includes(node) && chain.length < 32) {
    chain.push(node);
    const ref = own(node, "$ref");
    node = typeof ref === "string" ? resolveRef(schema, ref) : undefined;
  }
  return chain;
}

/** `base`, or `base2`, `base3`, … whichever is free. */
function uniqueName(ctx: Context, base: string): string {
  let name = base;
  for (let n = 2; ctx.taken.has(name); n++) name = `${base}${n}`;
  ctx.taken.add(name);
  return name;
}

/** The type given by `const`, `enum`, `type` or, without `type`, by the object/array keywords present. */
function baseType(ctx: Context, schema: Record<string, unknown>, depth: number, indent: string): Emitted | undefined {
  if (Object.hasOwn(schema, "const")) return literalUnion(ctx, [own(schema, "const")]);
  const values = own(schema, "enum");
  if (Array.isArray(values)) return literalUnion(ctx, values);
  const declared = own(schema, "type");
  let types: unknown[];
  if (typeof declared === "string") types = [declared];
  else if (Array.isArray(declared) && declared.length > 0) types = declared;
  else if (["properties", "additionalProperties", "patternProperties"].some((k) => Object.hasOwn(schema, k)))
    types = ["object"];
  else if (["items", "prefixItems"].some((k) => Object.hasOwn(schema, k))) types = ["array"];
  else return undefined;
  const emitted: Emitted[] = [];
  for (const type of new Set(types)) {
    if (type === "string" || type === "boolean" || type === "null") emitted.push(atom(ctx, type));
    else if (type === "number" || type === "integer") emitted.push(atom(ctx, "number"));
    else if (type === "object") emitted.push(objectType(ctx, schema, depth, indent));
    else if (type === "array") emitted.push(arrayType(ctx, schema, depth, indent));
    else return UNKNOWN;
  }
  return union(emitted);
}
