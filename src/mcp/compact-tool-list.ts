/**
 * @module mcp/compact-tool-list
 * Keeps the gateway's own `tools/list` small (it is budgeted under 1,000 tokens in total). The SDK's zod to JSON
 * Schema conversion adds text that tells a model nothing: a `$schema` URL per tool (MCP already fixes the
 * dialect), `execution: { taskSupport: "forbidden" }` (the default when absent), safe-integer bounds on every
 * `.int()`, `propertyNames: { type: "string" }` (always true of JSON) and `additionalProperties: {}` (the default).
 * It also drops size bounds (`minLength`, `maxLength`, `minItems`, `maxItems`): they are resource limits, not
 * meaning, and nothing is weakened because the SDK validates every call against the full zod schema, so an
 * oversized argument still gets an error that names the bound. Numeric ranges and enums stay. Defaults go too:
 * an argument left out gets its default from the SDK, so the model needs only to know it may leave it out.
 */
import type { McpServer } from "@modelcontextprotocol/server";

type Json = Record<string, unknown>;
type Handler = (request: unknown, extra: unknown) => Promise<{ tools?: Json[] } & Json>;

const SIZE_BOUNDS = new Set(["minLength", "maxLength", "minItems", "maxItems"]);

const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Keys of these maps are property names, not keywords: a property may be called "default". */
const NAME_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions"]);

function compactSchema(node: unknown, names = false): unknown {
  if (Array.isArray(node)) return node.map((n) => compactSchema(n));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (names) {
      out[key] = compactSchema(value);
      continue;
    }
    if (key === "$schema" || key === "default" || (SIZE_BOUNDS.has(key) && typeof value === "number")) continue;
    if (key === "maximum" && value === Number.MAX_SAFE_INTEGER) continue;
    if (key === "minimum" && value === Number.MIN_SAFE_INTEGER) continue;
    if (key === "propertyNames" && isObject(value) && value.type === "string" && Object.keys(value).length === 1) {
      continue;
    }
    if (key === "additionalProperties" && isObject(value) && Object.keys(value).length === 0) continue;
    out[key] = compactSchema(value, NAME_MAPS.has(key));
  }
  return out;
}

function compactTool(tool: Json): Json {
  const { execution, inputSchema, outputSchema, ...rest } = tool;
  const keepExecution =
    isObject(execution) && !(execution.taskSupport === "forbidden" && Object.keys(execution).length === 1);
  return {
    ...rest,
    ...(inputSchema === undefined ? {} : { inputSchema: compactSchema(inputSchema) }),
    ...(outputSchema === undefined ? {} : { outputSchema: compactSchema(outputSchema) }),
    ...(keepExecution ? { execution } : {}),
  };
}

/**
 * Wraps the server's `tools/list` handler (call after the tools are registered). The SDK exposes no hook for
 * this, so it replaces the entry in the protocol's handler map: pinned SDK version (package.json), covered by the
 * tools/list budget test (test/e2e/registry-budget.test.ts).
 */
export function compactToolList(server: McpServer): void {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, Handler> })._requestHandlers;
  const original = handlers?.get("tools/list");
  if (!handlers || !original) return;
  handlers.set("tools/list", async (request, extra) => {
    const result = await original(request, extra);
    return Array.isArray(result.tools) ? { ...result, tools: result.tools.map(compactTool) } : result;
  });
}
