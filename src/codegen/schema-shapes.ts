/**
 * The shapes of the schema walk: literal unions (`enum`/`const`), objects (properties, index signatures) and
 * arrays/tuples. Subschemas are visited through `ctx.visit`, which applies the depth, budget and cycle checks;
 * every emitted piece of text is charged to `ctx.used`, and a shape cut short by the budget is widened.
 */

import { docComment } from "./jsdoc";
import { stringLiteral } from "./literal";
import { OBJECT_INTERFACE_MEMBERS } from "./names";
import { isRecord, own, schemaDocLines } from "./schema-docs";
import { ATOM, type Emitted, INTERSECTION, paren, UNKNOWN, union } from "./schema-type-algebra";

/** What the shapes need from the walk. */
export interface ShapeContext {
  /** Output budget in characters. */
  maxLength: number;
  /** One line, no JSDoc. */
  compact: boolean;
  /** Characters emitted so far. */
  used: number;
  /** Set when something was replaced by `unknown` for a cap. */
  truncated: boolean;
  /** Visits a subschema (`guarded`: inside a property, index signature or array element). */
  visit(schema: unknown, depth: number, indent: string, guarded: boolean): Emitted;
}

/** Literal types of `values`; widened to their base types when one is not a literal or the list is too long. */
export function literalUnion(ctx: ShapeContext, values: readonly unknown[]): Emitted {
  const cap = Math.min(ctx.maxLength - ctx.used, ctx.maxLength / 4);
  const texts: string[] = [];
  let length = 0;
  for (const value of values) {
    const text = literal(value);
    length += (text?.length ?? 0) + 3;
    if (text === undefined || length > cap) return union([...new Set(values.map(kindOf))].map((k) => atom(ctx, k)));
    texts.push(text);
  }
  ctx.used += length;
  return union(texts.map((text) => ({ text, prec: ATOM })));
}

function literal(value: unknown): string | undefined {
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === "boolean" || value === null) return String(value);
  return undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  const kind = typeof value;
  return kind === "string" || kind === "number" || kind === "boolean" ? kind : "unknown";
}

export function objectType(ctx: ShapeContext, schema: Record<string, unknown>, depth: number, indent: string): Emitted {
  const properties = own(schema, "properties");
  const props = isRecord(properties) ? properties : {};
  const requiredList = own(schema, "required");
  const required = new Set(Array.isArray(requiredList) ? requiredList.filter((r) => typeof r === "string") : []);
  const keys = [...Object.keys(props), ...[...required].filter((key) => !Object.hasOwn(props, key))];
  const inner = `${indent}  `;
  const members: string[] = [];
  let cut = false;
  for (const key of keys) {
    if (ctx.used >= ctx.maxLength) {
      cut = true;
      ctx.truncated = true;
      break;
    }
    const sub = Object.hasOwn(props, key) ? props[key] : true;
    const head = `${propertyKey(key)}${required.has(key) ? "" : "?"}: `;
    const doc = ctx.compact ? "" : docComment(schemaDocLines(sub), inner);
    ctx.used += head.length + doc.length + inner.length + 3;
    let type = ctx.visit(sub, depth + 1, inner, true);
    // TypeScript reads a missing property of an object literal as Object.prototype's member of that name, so
    // `{}` is not assignable to `{ toString?: string }` ("Type '() => string' is not assignable to type 'string'"):
    // every call of such a tool would be refused. Admitting the inherited member's type keeps the check otherwise.
    if (!required.has(key) && OBJECT_MEMBERS.has(key)) {
      const member: Emitted = { text: `Object[${stringLiteral(key)}]`, prec: ATOM };
      ctx.used += member.text.length + 3;
      type = union([type, member]);
    }
    members.push(ctx.compact ? head + type.text : `${doc ? `${doc}\n` : ""}${inner}${head}${type.text};`);
  }
  const indexTypes: Emitted[] = [];
  const additional = own(schema, "additionalProperties");
  if (additional !== undefined && additional !== false) indexTypes.push(ctx.visit(additional, depth + 1, inner, true));
  const patterns = own(schema, "patternProperties");
  if (isRecord(patterns)) {
    for (const key of Object.keys(patterns)) {
      if (ctx.used >= ctx.maxLength) {
        cut = true;
        break;
      }
      indexTypes.push(ctx.visit(patterns[key], depth + 1, inner, true));
    }
  }
  // Properties that did not fit are still allowed: an index signature keeps the type wide enough.
  if (cut) indexTypes.push(UNKNOWN);
  const index = indexTypes.length > 0 ? union(indexTypes) : undefined;
  // `{ a: string; [key: string]: number }` is an error (a must fit the index type): intersect instead.
  const separate = index !== undefined && members.length > 0 && index.text !== "unknown";
  if (index !== undefined && !separate) members.push(indexSignature(ctx, index, inner));
  const literalType = objectLiteral(ctx, members, indent);
  if (!separate) return literalType;
  const indexType = objectLiteral(ctx, [indexSignature(ctx, index!, inner)], indent);
  return { text: `${literalType.text} & ${indexType.text}`, prec: INTERSECTION };
}

function indexSignature(ctx: ShapeContext, type: Emitted, inner: string): string {
  ctx.used += inner.length + 16;
  return ctx.compact ? `[key: string]: ${type.text}` : `${inner}[key: string]: ${type.text};`;
}

function objectLiteral(ctx: ShapeContext, members: string[], indent: string): Emitted {
  const text =
    members.length === 0 ? "{}" : ctx.compact ? `{ ${members.join("; ")} }` : `{\n${members.join("\n")}\n${indent}}`;
  ctx.used += indent.length + 4;
  return { text, prec: ATOM, object: true };
}

/** Members every object literal inherits: TypeScript reads a missing optional one as the inherited member. */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(OBJECT_INTERFACE_MEMBERS);

/** Property names that are ASCII identifiers stay bare; anything else is a JSON-quoted string. */
function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : stringLiteral(key);
}

export function arrayType(ctx: ShapeContext, schema: Record<string, unknown>, depth: number, indent: string): Emitted {
  const items = own(schema, "items");
  const prefixItems = own(schema, "prefixItems");
  if (Array.isArray(prefixItems)) return tupleType(ctx, schema, prefixItems, items, depth, indent);
  // draft-07 tuples: `items` is an array, `additionalItems` describes the rest.
  if (Array.isArray(items)) return tupleType(ctx, schema, items, own(schema, "additionalItems"), depth, indent);
  const element = items === undefined ? UNKNOWN : ctx.visit(items, depth + 1, indent, true);
  ctx.used += 4;
  return { text: `${paren(element, ATOM)}[]`, prec: ATOM };
}

/** `[A, B?, ...R[]]`: elements past `minItems` are optional, `rest` false closes the tuple. */
function tupleType(
  ctx: ShapeContext,
  schema: Record<string, unknown>,
  elements: readonly unknown[],
  rest: unknown,
  depth: number,
  indent: string,
): Emitted {
  const minItems = own(schema, "minItems");
  const min = typeof minItems === "number" && minItems > 0 ? minItems : 0;
  const parts: string[] = [];
  let restType: Emitted | undefined;
  for (const [i, element] of elements.entries()) {
    if (ctx.used >= ctx.maxLength) {
      ctx.truncated = true;
      restType = UNKNOWN;
      break;
    }
    const type = ctx.visit(element, depth + 1, indent, true);
    ctx.used += 3;
    parts.push(i < min ? type.text : `${paren(type, ATOM)}?`);
  }
  if (restType === undefined && rest !== false) {
    restType = rest === undefined ? UNKNOWN : ctx.visit(rest, depth + 1, indent, true);
  }
  if (restType !== undefined && restType.text !== "never") {
    ctx.used += 8;
    parts.push(`...${paren(restType, ATOM)}[]`);
  }
  return { text: `[${parts.join(", ")}]`, prec: ATOM };
}

export function atom(ctx: ShapeContext, text: string): Emitted {
  ctx.used += text.length;
  return { text, prec: ATOM };
}
