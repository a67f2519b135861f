// A real MCP server (SDK low-level Server over Streamable HTTP, stateless) that requires a header token, like most
// API-key MCP services: every request must carry `X-Api-Key: <token>` (the --token argument), else 401.
// With --oauth it instead answers every request 401 with an OAuth challenge (WWW-Authenticate: Bearer
// resource_metadata=...), as an OAuth-protected server does to a client without a token.
// Tools: whoami() -> "key: <the X-Api-Key it received>" (to prove redaction), add({ a, b }) -> a + b.
// GET /captured returns the X-Api-Key values received. Listens on 127.0.0.1:$PORT (test/support/upstreams.ts).
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const TOKEN = arg("--token") ?? "";
const OAUTH = process.argv.includes("--oauth");
const port = Number(process.env.PORT);
const keys = [];

function mcpServer(key) {
  const server = new Server({ name: "token-upstream", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name: "whoami",
        description: "Returns the API key it received.",
        inputSchema: { type: "object", properties: {} },
      },
      {
        name: "add",
        description: "Adds two numbers.",
        inputSchema: {
          type: "object",
          properties: { a: { type: "number" }, b: { type: "number" } },
          required: ["a", "b"],
        },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, (req) => {
    const text = (t) => ({ content: [{ type: "text", text: t }] });
    if (req.params.name === "whoami") return text(`key: ${key}`);
    if (req.params.name === "add") return text(String(req.params.arguments.a + req.params.arguments.b));
    throw new McpError(-32602, `unknown tool ${req.params.name}`);
  });
  return server;
}

createServer(async (req, res) => {
  if (req.url === "/captured") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(keys));
    return;
  }
  if (!req.url?.startsWith("/mcp")) return void res.writeHead(404).end();
  if (OAUTH) {
    res.writeHead(401, {
      "www-authenticate": `Bearer resource_metadata="http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp"`,
    });
    return void res.end();
  }
  const key = req.headers["x-api-key"];
  if (key) keys.push(key);
  if (key !== TOKEN) {
    res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "bad api key" }));
    return;
  }
  if (req.method !== "POST") return void res.writeHead(405, { allow: "POST" }).end();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  const server = mcpServer(key);
  res.on("close", () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
}).listen(port, "127.0.0.1");
