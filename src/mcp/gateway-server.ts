/**
 * @module mcp/gateway-server
 * The gateway's own MCP server: the few meta-tools a model sees instead of every upstream tool. Descriptions are
 * short on purpose: `tools/list` must stay small however many upstream tools exist.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { z } from "zod";
import { toolDeclaration, toolSignature } from "../codegen/declarations";
import type { Registry } from "../registry/registry";
import type { ExecuteResult } from "../sandbox/execution-types";
import { searchCatalog } from "./catalog-search";
import { errorResult, structuredResult } from "./tool-result";

export const GATEWAY_VERSION = "0.1.0";

export interface GatewayContext {
  registry: Registry;
  execute(code: string, timeoutMs: number | undefined): Promise<ExecuteResult>;
}

const INSTRUCTIONS = `This gateway exposes upstream MCP servers as TypeScript modules for code mode.
1. search_tools (or list_servers) to find tools; 2. get_tool_details for their exact TypeScript types;
3. execute_code with one program that imports and calls them, e.g.
   import { read_file } from "servers/workspace"; const text = await read_file({ path: "/a.txt" }); return text.length;
Only the program's return value and logs come back, so filter and aggregate inside the code.`;

function renderExecution(r: ExecuteResult): string {
  const lines = [r.ok ? "ok" : `error (${r.error?.kind}): ${r.error?.message}`];
  if (r.ok) lines.push(`result: ${r.result === undefined ? "undefined" : JSON.stringify(r.result, null, 2)}`);
  if (r.logs.length) lines.push("logs:", ...r.logs.map((l) => `  ${l}`));
  if (r.tool_calls.length) {
    lines.push(
      `tool calls (${r.tool_calls.length}):`,
      ...r.tool_calls.map((c) => `  ${c.server}.${c.tool} ${c.status} ${c.ms} ms${c.error ? `: ${c.error}` : ""}`),
    );
  }
  lines.push(`duration: ${r.duration_ms} ms, execution_id: ${r.execution_id}`);
  return lines.join("\n");
}

export function createGatewayServer(ctx: GatewayContext): McpServer {
  const server = new McpServer(
    { name: "codemode-gateway", version: GATEWAY_VERSION },
    {
      instructions: INSTRUCTIONS,
      capabilities: { logging: {} },
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  );

  server.registerTool(
    "list_servers",
    {
      description: "List the upstream MCP servers, their status and tool counts.",
      annotations: { readOnlyHint: true },
    },
    async () => {
      const catalog = await ctx.registry.catalog();
      const servers = catalog.servers.map((s) => ({
        name: s.name,
        module: `servers/${s.serverId}`,
        url: s.url,
        status: s.status,
        tool_count: s.tools.length,
        ...(s.description ? { description: s.description } : {}),
        ...(s.error ? { error: s.error } : {}),
      }));
      const text = servers
        .map((s) => `${s.name} (${s.module}): ${s.status}, ${s.tool_count} tools${s.error ? ` — ${s.error}` : ""}`)
        .join("\n");
      return structuredResult({ servers }, text);
    },
  );

  server.registerTool(
    "search_tools",
    {
      description: "Find tools by what they do. Returns names, servers and TypeScript call signatures.",
      inputSchema: {
        query: z.string().min(1).max(1_000).describe("What you want to do, in words"),
        limit: z.number().int().min(1).max(50).default(10),
        server: z.string().optional().describe("Only tools of this server"),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ query, limit, server: only }) => {
      const catalog = await ctx.registry.catalog();
      if (only && !catalog.byName.has(only)) {
        return errorResult(`unknown server "${only}"; servers: ${catalog.servers.map((s) => s.name).join(", ")}`);
      }
      const hits = searchCatalog(catalog, query, { limit, ...(only ? { server: only } : {}) });
      const tools = hits.map((t) => ({
        server: t.server,
        name: t.id,
        module: `servers/${t.serverId}`,
        description: t.description.length > 300 ? `${t.description.slice(0, 299)}…` : t.description,
        signature: toolSignature(t),
      }));
      const text = tools.length
        ? tools.map((t) => `${t.module} ${t.signature}\n  ${t.description}`).join("\n")
        : "No tool matches that query. Try other words, or list_servers to see what exists.";
      return structuredResult({ tools }, text);
    },
  );

  server.registerTool(
    "get_tool_details",
    {
      description:
        'Full TypeScript declarations (input and output types, docs) and JSON schemas for tools named "server.tool".',
      inputSchema: { tools: z.array(z.string()).min(1).max(50).describe('e.g. ["workspace.read_file"]') },
      annotations: { readOnlyHint: true },
    },
    async ({ tools: names }) => {
      const catalog = await ctx.registry.catalog();
      const found = [];
      const missing: string[] = [];
      for (const full of names) {
        const dot = full.indexOf(".");
        const entry =
          dot > 0 ? (catalog.byName.get(full.slice(0, dot)) ?? catalog.byServerId.get(full.slice(0, dot))) : undefined;
        const key = full.slice(dot + 1);
        const tool = entry?.byId.get(key) ?? entry?.tools.find((t) => t.name === key);
        if (!tool) {
          missing.push(full);
          continue;
        }
        found.push({
          server: tool.server,
          name: tool.id,
          upstream_name: tool.name,
          module: `servers/${tool.serverId}`,
          import: `import { ${tool.id} } from "servers/${tool.serverId}";`,
          declaration: toolDeclaration(tool),
          input_schema: tool.inputSchema,
          ...(tool.outputSchema ? { output_schema: tool.outputSchema } : {}),
        });
      }
      if (found.length === 0) {
        return errorResult(
          `no such tool: ${missing.join(", ")}. Name tools as "server.tool" (see search_tools or list_servers).`,
        );
      }
      const text = [
        ...found.map((t) => `${t.import}\n${t.declaration}`),
        ...(missing.length ? [`not found: ${missing.join(", ")}`] : []),
      ].join("\n\n");
      return structuredResult({ tools: found, ...(missing.length ? { not_found: missing } : {}) }, text);
    },
  );

  server.registerTool(
    "execute_code",
    {
      description:
        'Run TypeScript/JavaScript (ES module body, top-level await) in an isolated sandbox without network. Import tools as async functions: import { read_file } from "servers/workspace"; each takes one arguments object. `return` the result; console.log is captured.',
      inputSchema: {
        code: z.string().min(1).describe("The program"),
        timeout_ms: z.number().int().positive().optional().describe("Wall-clock limit (capped by the gateway)"),
      },
    },
    async ({ code, timeout_ms }) => {
      const r = await ctx.execute(code, timeout_ms);
      return structuredResult(r as unknown as Record<string, unknown>, renderExecution(r), !r.ok);
    },
  );

  return server;
}
