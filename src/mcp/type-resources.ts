/**
 * @module mcp/type-resources
 * One MCP resource per upstream server, `gateway://servers/<serverId>/types.d.ts`: the TypeScript declarations of
 * the module code imports (`servers/<serverId>`), the same text get_tool_details gives per tool (result types observed
 * from earlier results included, marked `@observed`). Clients that read resources can load a server's whole API at
 * once; listing them reads the (cached) catalog. Built per read and not held: a 10,000-tool server's is megabytes.
 */
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/server";
import { serverModuleDeclaration } from "../codegen/declarations";
import type { GatewayContext } from "./gateway-context";

const TEMPLATE = "gateway://servers/{server}/types.d.ts";
const uriOf = (serverId: string) => `gateway://servers/${serverId}/types.d.ts`;

export function registerTypeResources(server: McpServer, ctx: GatewayContext): void {
  server.registerResource(
    "server-types",
    new ResourceTemplate(TEMPLATE, {
      list: async () => ({
        resources: (await ctx.registry.catalog()).servers.map((s) => ({
          uri: uriOf(s.serverId),
          name: `${s.name} types`,
          description: `TypeScript declarations of "servers/${s.serverId}" (${s.tools.length} tools)`,
          mimeType: "text/plain",
        })),
      }),
    }),
    { description: "TypeScript declarations of one upstream server's module", mimeType: "text/plain" },
    async (uri, variables) => {
      const id = String(variables.server);
      const catalog = await ctx.registry.catalog();
      const entry = catalog.byServerId.get(id);
      if (!entry) throw new Error(`no server "${id}"; resources/list shows each server's types`);
      // Result types as get_tool_details and search_tools show them: observed ones included, marked @observed.
      const observed = ctx.observed;
      await observed?.load(catalog, entry.tools, entry.tools.length);
      const text = serverModuleDeclaration(entry.serverId, entry.tools, {
        outputType: (tool) => observed?.override(tool),
      });
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text }] };
    },
  );
}
