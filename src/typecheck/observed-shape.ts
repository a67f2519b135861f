/**
 * @module typecheck/observed-shape
 * The structural type of what a tool returned, for tools that declare no `outputSchema`: inferred from results,
 * merged across calls, bounded in depth, width and text, and holding shapes only, never values. Pure; the shape is
 * plain JSON so it can be stored with the catalog.
 *
 * Keys can be data too (file names, e-mail addresses): an object whose keys do not look like property names, or
 * whose keys vary between results, is rendered as `Record<string, T>` rather than as properties named after data.
 */
import { stringLiteral } from "../codegen/literal";

/** A merged structural shape. Every field is optional: absent means "never seen". */
export interface Shape {
  /** Primitive types seen. */
  p?: Primitive[];
  /** Arrays seen: the merged shape of their elements (`{}` when every array was empty). */
  a?: Shape;
  /** Objects seen: how many, and each key's shape with the number of objects that had it. */
  o?: { n: number; keys: Array<[string, { s: Shape; n: number }]> };
  /** Too deep or too wide to describe: rendered as `any`. */
  x?: true;
}

type Primitive = "string" | "number" | "boolean" | "null";

/** Nesting below this depth is `any`. */
const MAX_DEPTH = 6;
/** Array elements sampled per array. */
const MAX_ELEMENTS = 50;
/** Distinct keys kept per object shape; beyond it the object is a record. */
const MAX_KEYS = 40;
/** Longest key kept as a property name. */
const MAX_KEY_LENGTH = 64;
/** Longest rendered type; a longer one widens to `any`. */
export const MAX_TYPE_CHARS = 4_000;
const PROPERTY_NAME = /^[A-Za-z_$][\w$-]*$/;

/** The shape of one value. */
export function shapeOf(value: unknown, depth = 0): Shape {
  if (depth > MAX_DEPTH) return { x: true };
  if (value === null) return { p: ["null"] };
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return { p: [typeof value as Primitive] };
    case "object":
      break;
    default:
      return { x: true };
  }
  if (Array.isArray(value)) {
    let element: Shape = {};
    for (const item of value.slice(0, MAX_ELEMENTS)) element = mergeShapes(element, shapeOf(item, depth + 1));
    return { a: element };
  }
  const keys: Array<[string, { s: Shape; n: number }]> = [];
  for (const key of Object.keys(value as object)) {
    if (keys.length >= MAX_KEYS) return { o: { n: 1, keys: [] }, x: true };
    keys.push([key, { s: shapeOf((value as Record<string, unknown>)[key], depth + 1), n: 1 }]);
  }
  return { o: { n: 1, keys } };
}

/** Merges two shapes (commutative); bounded like {@link shapeOf}. */
export function mergeShapes(a: Shape, b: Shape, depth = 0): Shape {
  if (depth > MAX_DEPTH) return { x: true };
  const out: Shape = {};
  if (a.x || b.x) out.x = true;
  const prims = [...new Set([...(a.p ?? []), ...(b.p ?? [])])].sort();
  if (prims.length) out.p = prims;
  if (a.a || b.a) out.a = a.a && b.a ? mergeShapes(a.a, b.a, depth + 1) : (a.a ?? b.a)!;
  if (a.o || b.o) {
    const merged = new Map<string, { s: Shape; n: number }>(a.o?.keys ?? []);
    for (const [key, entry] of b.o?.keys ?? []) {
      const prev = merged.get(key);
      merged.set(key, prev ? { s: mergeShapes(prev.s, entry.s, depth + 1), n: prev.n + entry.n } : entry);
    }
    if (merged.size > MAX_KEYS) {
      // Too many distinct keys to be a fixed set of properties: keep the value shape as one record entry.
      let value: Shape = {};
      for (const entry of merged.values()) value = mergeShapes(value, entry.s, depth + 1);
      out.o = { n: (a.o?.n ?? 0) + (b.o?.n ?? 0), keys: [["*", { s: value, n: 1 }]] };
    } else {
      out.o = { n: (a.o?.n ?? 0) + (b.o?.n ?? 0), keys: [...merged] };
    }
  }
  return out;
}

/**
 * Whether an object shape's keys are data rather than property names: any key that is not a plausible name
 * (`a.txt`, `bob@example.com`, ...), or, over several objects, keys that mostly appear in only one of them.
 */
function isRecord(o: NonNullable<Shape["o"]>): boolean {
  if (o.keys.length === 1 && o.keys[0]![0] === "*") return true;
  if (o.keys.some(([key]) => key.length > MAX_KEY_LENGTH || !PROPERTY_NAME.test(key))) return true;
  if (o.n < 2 || o.keys.length < 4) return false;
  const shared = o.keys.filter(([, entry]) => entry.n > 1).length;
  return shared / o.keys.length < 0.25;
}

/** The shape as a TypeScript type expression (`any` where nothing or too much is known). */
export function renderShape(shape: Shape): string {
  const text = render(shape, 0);
  return text.length > MAX_TYPE_CHARS ? "any" : text;
}

function render(shape: Shape, depth: number): string {
  if (shape.x || depth > MAX_DEPTH) return "any";
  const parts: string[] = [...(shape.p ?? [])];
  if (shape.a) {
    const element = shape.a.p || shape.a.a || shape.a.o || shape.a.x ? render(shape.a, depth + 1) : "unknown";
    parts.push(`Array<${element}>`);
  }
  if (shape.o) parts.push(renderObject(shape.o, depth));
  if (parts.length === 0) return "any";
  return parts.join(" | ");
}

function renderObject(o: NonNullable<Shape["o"]>, depth: number): string {
  if (isRecord(o)) {
    let value: Shape = {};
    for (const [, entry] of o.keys) value = mergeShapes(value, entry.s);
    const inner = value.p || value.a || value.o || value.x ? render(value, depth + 1) : "unknown";
    return `Record<string, ${inner}>`;
  }
  if (o.keys.length === 0) return "{}";
  const props = [...o.keys]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, entry]) => {
      const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : stringLiteral(key);
      return `${name}${entry.n < o.n ? "?" : ""}: ${render(entry.s, depth + 1)}`;
    });
  return `{ ${props.join("; ")} }`;
}
