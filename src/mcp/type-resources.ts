/**
 * @module mcp/type-resources
 * One MCP resource per upstream server, `gateway://servers/<serverId>/types.d.ts`: the TypeScript declarations of
 * the module code imports (`servers/<serverId>`), the same text get_tool_details gives per tool. Clients that read
 * resources can load a server's whole API at once; listing them reads the (cached) catalog.
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
      const entry = (await ctx.registry.catalog()).servers.find((s) => s.serverId === id);
      if (!entry) throw new Error(`no server "${id}"; resources/list shows each server's types`);
      return {
        contents: [
          { uri: uri.href, mimeType: "text/plain", text: serverModuleDeclaration(entry.serverId, entry.tools) },
        ],
      };
    },
  );
}
