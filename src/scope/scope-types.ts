/**
 * @module scope/scope-types
 * TypeScript declarations of the bindings a program inherits (src/scope/), for the type check (src/typecheck/):
 * a carried value is declared with the type of its stored value, read from the structured encoding without
 * running anything; carried functions, classes and imports are declared loosely (`any`), so the check knows
 * the names and never refuses correct code for want of their exact types. Bounded: a few levels, a few dozen
 * properties, a sample of array elements; beyond that, `any`.
 */
import type { CarriedScope } from "./scope-store";

const MAX_DEPTH = 4;
const MAX_PROPERTIES = 40;
const MAX_ELEMENTS = 20;
const MAX_UNION = 4;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.length === 0) return "never";
  if (unique.length > MAX_UNION) return "any";
  return unique.length === 1 ? unique[0]! : unique.map((t) => (t.includes("=>") ? `(${t})` : t)).join(" | ");
}

function elementsType(items: unknown[], depth: number): string {
  return union(items.slice(0, MAX_ELEMENTS).map((item) => typeOf(item, depth + 1)));
}

/** The type of one node of the encoding (worker-loader/scope-codec.js). */
function typeOf(v: unknown, depth: number): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      break;
    default:
      return "any";
  }
  if (depth > MAX_DEPTH) return "any";
  if (Array.isArray(v)) {
    const element = elementsType(v, depth);
    return element === "never" ? "any[]" : element.includes("|") ? `(${element})[]` : `${element}[]`;
  }
  const node = v as Record<string, unknown>;
  if (!Object.hasOwn(node, "$cg")) return objectType(node, depth);
  switch (node.$cg) {
    case "undef":
      return "undefined";
    case "num":
      return "number";
    case "big":
      return "bigint";
    case "date":
      return "Date";
    case "re":
      return "RegExp";
    case "map": {
      const entries = Array.isArray(node.v) ? (node.v as unknown[][]) : [];
      const keys = entries.map((e) => e[0]);
      const values = entries.map((e) => e[1]);
      if (entries.length === 0) return "Map<any, any>";
      return `Map<${elementsType(keys, depth)}, ${elementsType(values, depth)}>`;
    }
    case "set": {
      const items = Array.isArray(node.v) ? (node.v as unknown[]) : [];
      return items.length === 0 ? "Set<any>" : `Set<${elementsType(items, depth)}>`;
    }
    case "typed":
      return typeof node.c === "string" && IDENTIFIER.test(node.c) ? node.c : "any";
    case "buf":
      return "ArrayBuffer";
    case "obj":
      return typeof node.v === "object" && node.v !== null
        ? objectType(node.v as Record<string, unknown>, depth)
        : "any";
    default:
      return "any";
  }
}

function objectType(node: Record<string, unknown>, depth: number): string {
  const names = Object.keys(node);
  if (names.length === 0) return "{}";
  if (names.length > MAX_PROPERTIES) return "Record<string, any>";
  const members = names.map((name) => {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    return `${key}: ${typeOf(node[name], depth + 1)}`;
  });
  return `{ ${members.join("; ")} }`;
}

/** The type of a stored value (its encoded JSON), or `any` when it cannot be read. */
export function encodedValueType(json: string): string {
  try {
    return typeOf(JSON.parse(json) as unknown, 0);
  } catch {
    return "any";
  }
}

/**
 * Ambient declarations of the names in `carriedIn`, as they come from `carried`. Given `own` (the program's own
 * top-level names), the other carried bindings it does not declare (values, functions, classes, imports) are
 * declared loosely without reading them: the program does not name them, but a misspelling of one still gets
 * "Did you mean" with the carried name.
 */
export function carriedDeclarations(
  carried: CarriedScope,
  carriedIn: readonly string[],
  own?: ReadonlySet<string>,
): string {
  const names = new Set(carriedIn);
  const lines: string[] = [];
  for (const { name, json } of carried.values) {
    if (names.has(name)) lines.push(`declare let ${name}: ${encodedValueType(json)};`);
    else if (own && !own.has(name)) lines.push(`declare let ${name}: any;`);
  }
  for (const d of carried.declarations) {
    if (!names.has(d.name) && (!own || own.has(d.name))) continue;
    lines.push(
      d.kind === "function" ? `declare function ${d.name}(...args: any[]): any;` : `declare let ${d.name}: any;`,
    );
  }
  for (const i of carried.imports) {
    if (names.has(i.local) || (own && !own.has(i.local))) lines.push(`declare let ${i.local}: any;`);
  }
  return lines.join("\n");
}
