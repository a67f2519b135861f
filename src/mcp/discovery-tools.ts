/**
 * @module mcp/discovery-tools
 * `list_servers`, `search_tools`, `get_tool_details`: how a model finds tools and reads their TypeScript API.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { toolDeclaration, toolSignature } from "../codegen/declarations";
import { searchCatalog } from "./catalog-search";
import type { GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

export function registerDiscoveryTools(server: McpServer, ctx: GatewayContext): void {
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
}
