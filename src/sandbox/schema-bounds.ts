/**
 * @module sandbox/schema-bounds
 * What of a JSON Schema the host may run on a value, so that checking a tool's or a skill's arguments stays bounded
 * whoever wrote the schema (an upstream server, a user's own server, the agent saving a skill). The full validator
 * (`@cfworker/json-schema`) interprets any schema faithfully, and faithfully is unbounded in three ways:
 *
 * - `$ref` and the in-place applicators (`allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`)
 *   can apply exponentially many subschemas to one value: 40 definitions, each `anyOf` two `$ref`s to the next, are
 *   2^40 checks of the same string;
 * - `uniqueItems` compares every pair of items (an argument of 200,000 numbers is 4 * 10^10 comparisons);
 * - `format` and `pattern` run regular expressions on V8's backtracking engine (`pattern` is handled by
 *   host-patterns.ts, which runs it in linear time; the formats are the validator's own fixed expressions).
 *
 * {@link boundSchema} copies a schema without `format` and `uniqueItems` (annotations for the host: the upstream
 * server, or the skill's code, still sees every argument) and measures the most subschemas its structure can apply
 * to one value. A schema over {@link MAX_APPLICATIONS} (or with references the host does not resolve) gets no check
 * on the host at all: the upstream judges, as for a schema the validator cannot read.
 */
import type { JsonSchema } from "../registry/registry-types";

/** Subschemas one schema may have before the host gives up on measuring it. */
export const MAX_SCHEMA_NODES = 10_000;
/** Nesting of subschemas the copy follows. */
const MAX_SCHEMA_DEPTH = 64;
/** The most subschemas the structure may apply to one value of the arguments. */
export const MAX_APPLICATIONS = 256;
/** Distinct sets of subschemas (one per kind of value the arguments can hold) measured before giving up. */
const MAX_STATES = 5_000;

/** Keywords whose checking cost is not bounded on the host; the copy leaves them out. */
const LEFT_OUT = new Set(["format", "uniqueItems"]);
/** Keywords holding one subschema. */
const SINGLE = new Set([
  "additionalProperties",
  "additionalItems",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "unevaluatedItems",
  "unevaluatedProperties",
]);
/** Keywords holding a list of subschemas (`items` may also hold one). */
const LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems", "items"]);
/** Keywords holding subschemas by name (`dependencies` may also hold lists of names). */
const MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"]);
/** Keywords the host does not resolve: such a schema is left to the upstream. */
const UNRESOLVED = new Set(["$dynamicRef", "$recursiveRef"]);

/** A schema bounded for the host: the copy to validate with and the most subschemas it applies to one value. */
export type BoundedSchema =
  | {
      ok: true;
      schema: JsonSchema;
      /** The most subschemas the structure applies to one value of the arguments. */
      applications: number;
      /** The keywords the copy left out (`format`, `uniqueItems`), if the schema had them. */
      leftOut: string[];
      /** The regular expressions of its `pattern`s and `patternProperties`, in order. */
      patterns: string[];
    }
  | { ok: false; reason: string };

/** A subschema of the copy, with what it applies to the same value, to its properties and to its items. */
interface Node {
  id: number;
  inPlace: Node[];
  ref?: string;
  properties: Map<string, Node>;
  patternProperties: Node[];
  otherProperties: Node[];
  propertyNames: Node[];
  items: Node[];
}

class Unbounded extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // Own data properties, `__proto__` included: names from outside are data.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies a schema for the host; measures it; null-prototype maps and `Object.hasOwn` throughout. */
export function boundSchema(schema: JsonSchema): BoundedSchema {
  try {
    return measure(schema);
  } catch (error) {
    if (error instanceof Unbounded) return { ok: false, reason: error.message };
    if (error instanceof RangeError) return { ok: false, reason: "it nests too deeply to measure" };
    throw error;
  }
}

function measure(schema: JsonSchema): BoundedSchema {
  const nodes: Node[] = [];
  const byObject = new Map<object, Node>();
  const leftOut = new Set<string>();
  const patterns: string[] = [];

  const copy = (value: unknown, depth: number, root: boolean): { copy: unknown; node?: Node } => {
    if (!isObject(value)) return { copy: value };
    if (depth > MAX_SCHEMA_DEPTH) throw new Unbounded(`its subschemas nest deeper than ${MAX_SCHEMA_DEPTH} levels`);
    if (nodes.length >= MAX_SCHEMA_NODES) throw new Unbounded(`it has more than ${MAX_SCHEMA_NODES} subschemas`);
    const node: Node = {
      id: nodes.length,
      inPlace: [],
      properties: new Map(),
      patternProperties: [],
      otherProperties: [],
      propertyNames: [],
      items: [],
    };
    nodes.push(node);
    const out: Record<string, unknown> = {};
    byObject.set(out, node);
    const sub = (v: unknown): { copy: unknown; node?: Node } => copy(v, depth + 1, false);
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (LEFT_OUT.has(key)) {
        leftOut.add(key);
        continue;
      }
      if (UNRESOLVED.has(key)) throw new Unbounded(`it uses ${key}, which the gateway does not resolve`);
      if (key === "$id" && !root)
        throw new Unbounded("a subschema has its own $id, which the gateway does not resolve");
      if (key === "$ref") {
        if (typeof v !== "string" || !(v === "#" || v.startsWith("#/"))) {
          throw new Unbounded(`its $ref ${JSON.stringify(v)?.slice(0, 80)} is not a JSON pointer into the schema`);
        }
        node.ref = v;
        define(out, key, v);
      } else if (key === "pattern") {
        if (typeof v === "string") patterns.push(v);
        define(out, key, v);
      } else if (SINGLE.has(key) || (key === "items" && !Array.isArray(v))) {
        const c = sub(v);
        define(out, key, c.copy);
        if (c.node) attach(node, key, c.node);
      } else if (LISTS.has(key) && Array.isArray(v)) {
        const list = v.map((item) => sub(item));
        define(
          out,
          key,
          list.map((c) => c.copy),
        );
        for (const c of list) if (c.node) attach(node, key, c.node);
      } else if (MAPS.has(key) && isObject(v)) {
        const map: Record<string, unknown> = {};
        if (key === "patternProperties") for (const name of Object.keys(v)) patterns.push(name);
        for (const name of Object.keys(v)) {
          const c = sub(v[name]);
          define(map, name, c.copy);
          if (!c.node) continue;
          if (key === "properties") node.properties.set(name, c.node);
          else if (key === "patternProperties") node.patternProperties.push(c.node);
          else if (key === "dependentSchemas" || key === "dependencies") node.inPlace.push(c.node);
        }
        define(out, key, map);
      } else {
        define(out, key, v);
      }
    }
    return { copy: out, node };
  };

  const top = copy(schema, 0, true);
  if (!top.node) return { ok: true, schema, applications: 1, leftOut: [], patterns };
  const root = top.copy as Record<string, unknown>;
  for (const node of nodes) if (node.ref !== undefined) node.inPlace.push(resolve(root, node.ref, byObject));

  // The subschemas applied in place with each one (itself, its applicators, its $ref), counted with repeats.
  const closures = new Map<Node, Map<Node, number>>();
  const open = new Set<Node>();
  const closure = (node: Node): Map<Node, number> => {
    const known = closures.get(node);
    if (known) return known;
    if (open.has(node))
      throw new Unbounded("a subschema applies itself to the same value ($ref or an applicator loop)");
    open.add(node);
    const counts = new Map<Node, number>([[node, 1]]);
    let total = 1;
    for (const child of node.inPlace) {
      for (const [n, c] of closure(child)) {
        counts.set(n, (counts.get(n) ?? 0) + c);
        total += c;
      }
      if (total > MAX_APPLICATIONS) throw tooMany();
    }
    open.delete(node);
    closures.set(node, counts);
    return counts;
  };

  // Breadth first over the sets of subschemas one value can meet: the root's, then for each property name (and any
  // other name) and for items, the sets its children meet. Property names lead to different values, so each is a
  // set of its own; everything that can apply to one child is summed.
  const expand = (applied: Iterable<[Node, number]>): Map<Node, number> => {
    const counts = new Map<Node, number>();
    let total = 0;
    for (const [node, times] of applied) {
      for (const [n, c] of closure(node)) {
        counts.set(n, (counts.get(n) ?? 0) + c * times);
        total += c * times;
        if (total > MAX_APPLICATIONS) throw tooMany();
      }
    }
    return counts;
  };
  const signature = (set: Map<Node, number>) =>
    [...set]
      .map(([n, c]) => `${n.id}x${c}`)
      .sort()
      .join(",");
  const first = expand([[top.node, 1]]);
  let most = sum(first);
  const seen = new Set<string>([signature(first)]);
  const queue = [first];
  while (queue.length > 0) {
    const set = queue.shift()!;
    const children: Array<Array<[Node, number]>> = [];
    const names = new Set<string>();
    for (const node of set.keys()) for (const name of node.properties.keys()) names.add(name);
    const shared: Array<[Node, number]> = [];
    for (const [node, times] of set) {
      for (const n of node.patternProperties) shared.push([n, times]);
      for (const n of node.otherProperties) shared.push([n, times]);
    }
    for (const name of names) {
      const child: Array<[Node, number]> = [...shared];
      for (const [node, times] of set) {
        const own = node.properties.get(name);
        if (own) child.push([own, times]);
      }
      children.push(child);
    }
    children.push(shared);
    const keys: Array<[Node, number]> = [];
    const items: Array<[Node, number]> = [];
    for (const [node, times] of set) {
      for (const n of node.propertyNames) keys.push([n, times]);
      for (const n of node.items) items.push([n, times]);
    }
    children.push(keys, items);
    for (const child of children) {
      if (child.length === 0) continue;
      const next = expand(child);
      const sig = signature(next);
      if (seen.has(sig)) continue;
      if (seen.size >= MAX_STATES) throw new Unbounded(`it combines its subschemas in more than ${MAX_STATES} ways`);
      seen.add(sig);
      most = Math.max(most, sum(next));
      queue.push(next);
    }
  }
  return { ok: true, schema: root, applications: most, leftOut: [...leftOut].sort(), patterns };
}

function sum(set: Map<Node, number>): number {
  let total = 0;
  for (const c of set.values()) total += c;
  return total;
}

function tooMany(): Unbounded {
  return new Unbounded(
    `it can apply more than ${MAX_APPLICATIONS} subschemas to one value (allOf, anyOf, oneOf and $ref multiply)`,
  );
}

/** Where a subschema's applicator keyword puts its subschema: the same value, a property, or an item. */
function attach(node: Node, key: string, child: Node): void {
  switch (key) {
    case "additionalProperties":
    case "unevaluatedProperties":
      node.otherProperties.push(child);
      return;
    case "propertyNames":
      node.propertyNames.push(child);
      return;
    case "items":
    case "prefixItems":
    case "additionalItems":
    case "contains":
    case "unevaluatedItems":
      node.items.push(child);
      return;
    default:
      // allOf, anyOf, oneOf, not, if, then, else
      node.inPlace.push(child);
  }
}

/** The subschema a local `$ref` ("#" or "#/a/b") points at in the copy. */
function resolve(root: Record<string, unknown>, ref: string, byObject: Map<object, Node>): Node {
  let at: unknown = root;
  if (ref !== "#") {
    for (const raw of ref.slice(2).split("/")) {
      let part: string;
      try {
        part = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
      } catch {
        throw new Unbounded(`its $ref ${JSON.stringify(ref).slice(0, 80)} is not a valid JSON pointer`);
      }
      if (Array.isArray(at) && /^(?:0|[1-9]\d*)$/.test(part) && Number(part) < at.length) at = at[Number(part)];
      else if (isObject(at) && Object.hasOwn(at, part)) at = at[part];
      else throw new Unbounded(`its $ref ${JSON.stringify(ref).slice(0, 80)} points at nothing`);
    }
  }
  const node = isObject(at) ? byObject.get(at) : undefined;
  if (!node) throw new Unbounded(`its $ref ${JSON.stringify(ref).slice(0, 80)} does not point at a subschema`);
  return node;
}
