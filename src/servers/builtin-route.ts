/**
 * @module servers/builtin-route
 * `/servers/<name>/mcp`: a built-in server (`builtin:<name>` in the configuration) served to clients directly.
 * Off unless `expose_builtin_routes = true`: the gateway's own path to built-in servers is the `BuiltinServers`
 * entrypoint through `ctx.exports` (src/registry/connect.ts), never this route. When it is on, the route is not a
 * back door around the gateway: it serves the server's catalog as the gateway sees it (allow/deny applied) and every
 * `tools/call` goes through the registry with the checks of a direct call (src/mcp/direct-call.ts): approval policy
 * ("ask" is refused, as it cannot pause), argument validation, redaction, timeouts and result caps.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { BUILTIN_URL_PREFIX, type GatewayConfig, type ServerConfig } from "../config";
import type { Env } from "../env";
import { directCall } from "../mcp/direct-call";
import { GATEWAY_VERSION } from "../mcp/gateway-server";
import { durableCatalogStore } from "../registry/catalog-store";
import { connectUpstream } from "../registry/connect";
import { Registry } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";

const ROUTE = /^\/servers\/([^/]+)\/mcp$/;

function notFound(pathname: string, why: string): Response {
  return Response.json({ error: `no route at ${pathname}: ${why}` }, { status: 404 });
}

/** The configured built-in server a route path names (`/servers/workspace/mcp` -> `builtin:workspace`). */
function routedServer(pathname: string, config: GatewayConfig): ServerConfig | string {
  if (!config.expose_builtin_routes) {
    return "built-in servers are reached through /mcp (expose_builtin_routes is false in GATEWAY_CONFIG)";
  }
  const name = ROUTE.exec(pathname)?.[1];
  const server = name && config.servers.find((s) => s.url === `${BUILTIN_URL_PREFIX}${decodeURIComponent(name)}`);
  return server || "no configured server has that built-in URL";
}

function listed(tool: CatalogTool): Tool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool["inputSchema"],
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema as Tool["outputSchema"] } : {}),
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
  };
}

/** Serves one request to a built-in server's public route for `user`, or 404 when the route is not exposed. */
export async function serveBuiltinRoute(
  request: Request,
  env: Env,
  exports: unknown,
  user: string,
  config: GatewayConfig,
): Promise<Response> {
  const { pathname } = new URL(request.url);
  const server = routedServer(pathname, config);
  if (typeof server === "string") return notFound(pathname, server);
  const registry = new Registry([server], (s) => connectUpstream(s, { env, exports, user, gateway: config }), {
    store: durableCatalogStore(env.CATALOG),
    ttlMs: config.catalog_ttl_ms,
  });
  const mcp = new Server(
    { name: `${server.name} (through codemode-gateway)`, version: GATEWAY_VERSION },
    { capabilities: { tools: {} } },
  );
  const entry = async () => {
    const found = (await registry.catalog()).byName.get(server.name)!;
    if (found.status === "error" && found.tools.length === 0) {
      throw new McpError(ErrorCode.InternalError, `${server.name} is unavailable: ${found.error}`);
    }
    return found;
  };
  mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (await entry()).tools.map(listed) }));
  mcp.setRequestHandler(CallToolRequestSchema, async (req) => {
    const def = (await entry()).byUpstreamName.get(req.params.name);
    if (!def) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${req.params.name}`);
    return directCall(registry, def, req.params.arguments ?? {}, config.limits);
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await mcp.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // Responses are JSON (not streamed), so the request is complete here.
    void mcp.close();
    void registry.close();
  }
}
