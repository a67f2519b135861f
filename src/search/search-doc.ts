import type { SearchDoc } from "./search-types";

/** A tool as MCP lists it, plus the routing fields the gateway adds. */
export interface ToolForSearch {
  key: string;
  server: string;
  serverDescription?: string;
  name: string;
  description?: string;
  /** JSON Schema of the input; untrusted, so every shape (boolean, missing, malformed) is tolerated. */
  inputSchema?: unknown;
  kind?: "tool" | "skill";
  tags?: string[];
}

/** Enum values are folded into a parameter's text, capped so a huge enum (country codes) cannot flood a tool. */
const MAX_ENUM_VALUES = 24;
const MAX_PARAMS = 64;

type Param = { name: string; description?: string };

/**
 * Builds a SearchDoc from a JSON Schema tool: top-level `properties` become params (name + description + enum
 * values), and properties nested one level down (objects, or arrays of objects) are added too, since argument
 * names like `cast` or `genre` inside a `filters` object still say what the tool is for.
 */
export function toSearchDoc(tool: ToolForSearch): SearchDoc {
  const params: Param[] = [];
  collectParams(tool.inputSchema, params, 0);
  const doc: SearchDoc = { key: tool.key, kind: tool.kind ?? "tool", server: tool.server, name: tool.name };
  if (tool.serverDescription) doc.serverDescription = tool.serverDescription;
  if (tool.description) doc.description = tool.description;
  if (params.length > 0) doc.params = params;
  if (tool.tags && tool.tags.length > 0) doc.tags = tool.tags;
  return doc;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function collectParams(schema: unknown, out: Param[], depth: number): void {
  if (!isRecord(schema) || !isRecord(schema.properties)) return;
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (out.length >= MAX_PARAMS) return;
    out.push(describeParam(name, prop));
    if (depth === 0) {
      // One level of nesting: an object's own properties, or the properties of an array's item objects.
      const nested = isRecord(prop) && isRecord(prop.items) ? prop.items : prop;
      collectParams(nested, out, depth + 1);
    }
  }
}

function describeParam(name: string, prop: unknown): Param {
  if (!isRecord(prop)) return { name };
  const parts: string[] = [];
  if (typeof prop.title === "string") parts.push(prop.title);
  if (typeof prop.description === "string") parts.push(prop.description);
  const values = enumValues(prop);
  if (values.length > 0) parts.push(values.join(", "));
  return parts.length > 0 ? { name, description: parts.join(". ") } : { name };
}

function enumValues(prop: Record<string, unknown>): string[] {
  const source = Array.isArray(prop.enum)
    ? prop.enum
    : isRecord(prop.items) && Array.isArray(prop.items.enum)
      ? prop.items.enum
      : [];
  return source
    .filter((v): v is string | number => typeof v === "string" || typeof v === "number")
    .slice(0, MAX_ENUM_VALUES)
    .map(String);
}
