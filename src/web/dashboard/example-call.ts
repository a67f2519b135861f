/**
 * @module web/dashboard/example-call
 * An example call of a tool for the tool browser: the upstream's own example arguments when it gave some, else
 * placeholder arguments built from the input schema (required properties, with their default, first enum value,
 * or a value of their type). The walk is bounded: schemas are untrusted and may be deep or cyclic.
 */
import type { CatalogTool, JsonSchema } from "../../registry/registry-types";

const MAX_DEPTH = 4;
const MAX_PROPERTIES = 20;
const MAX_EXAMPLE_CHARS = 2_000;

const own = (o: Record<string, unknown>, key: string) => (Object.hasOwn(o, key) ? o[key] : undefined);

function placeholder(schema: JsonSchema | undefined, depth: number): unknown {
  if (typeof schema !== "object" || schema === null || depth > MAX_DEPTH) return null;
  const s = schema as Record<string, unknown>;
  const def = own(s, "default");
  if (def !== undefined) return def;
  const examples = own(s, "examples");
  if (Array.isArray(examples) && examples.length) return examples[0];
  const choices = own(s, "enum");
  if (Array.isArray(choices) && choices.length) return choices[0];
  if (own(s, "const") !== undefined) return own(s, "const");
  const anyOf = own(s, "anyOf") ?? own(s, "oneOf");
  if (Array.isArray(anyOf) && anyOf.length) return placeholder(anyOf[0] as JsonSchema, depth + 1);
  const rawType = own(s, "type");
  const type = Array.isArray(rawType) ? rawType.find((t) => t !== "null") : rawType;
  switch (type) {
    case "string":
      return "…";
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return objectPlaceholder(s, depth + 1);
    default:
      return own(s, "properties") ? objectPlaceholder(s, depth + 1) : null;
  }
}

function objectPlaceholder(schema: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const props = own(schema, "properties");
  const required = own(schema, "required");
  if (typeof props !== "object" || props === null || !Array.isArray(required)) return out;
  for (const name of required.slice(0, MAX_PROPERTIES)) {
    if (typeof name !== "string" || !Object.hasOwn(props, name)) continue;
    out[name] = placeholder((props as Record<string, JsonSchema>)[name], depth);
  }
  return out;
}

/** The example arguments of a tool (the upstream's first example, else placeholders from its schema). */
export function exampleArguments(tool: CatalogTool): unknown {
  const given = tool.examples?.[0];
  if (given !== undefined) return given;
  const args = placeholder(tool.inputSchema, 0);
  return typeof args === "object" && args !== null ? args : {};
}

/** A complete example: the import line and an awaited call, as code run by execute_code would write it. */
export function exampleCall(tool: CatalogTool): string {
  let json = JSON.stringify(exampleArguments(tool), null, 2) ?? "{}";
  if (json.length > MAX_EXAMPLE_CHARS) json = "{ /* see the declaration */ }";
  return `import { ${tool.id} } from "servers/${tool.serverId}";\n\nconst result = await ${tool.id}(${json});\nreturn result;`;
}
