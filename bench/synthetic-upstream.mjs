// A synthetic upstream MCP server for the context-size benchmark: SYNTHETIC_TOOLS (or argv[2]) tools from
// synthetic-catalog.mjs over stateless Streamable HTTP at http://127.0.0.1:$PORT/mcp. Every tool echoes its
// arguments. Started by bench/run.ts with the loopback-only preload and stopped by process id.
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { syntheticTools } from "./synthetic-catalog.mjs";

const count = Number(process.argv[2] ?? process.env.SYNTHETIC_TOOLS ?? 100);
const port = Number(process.env.PORT ?? 0);
const tools = syntheticTools(count).map(({ meta: _meta, ...tool }) => tool);
const names = new Set(tools.map((t) => t.name));

function createMcpServer() {
  const server = new Server({ name: `synthetic-${count}`, version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const { name, arguments: args } = request.params;
    if (!names.has(name)) return { content: [{ type: "text", text: `unknown tool ${name}` }], isError: true };
    return { content: [{ type: "text", text: JSON.stringify({ tool: name, args: args ?? {} }) }] };
  });
  return server;
}

const http = createServer(async (req, res) => {
  if (!req.url?.startsWith("/mcp")) {
    res.writeHead(404).end();
    return;
  }
  if (req.method !== "POST") {
    res.writeHead(405, { Allow: "POST" }).end();
    return;
  }
  // Stateless: one server and transport per request, as the SDK documents for sessionless servers.
  const server = createMcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on("close", () => {
    transport.close().catch(() => {});
    server.close().catch(() => {});
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500).end(String(err?.message ?? err));
  }
});

http.listen(port, "127.0.0.1");
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => http.close(() => process.exit(0)));
