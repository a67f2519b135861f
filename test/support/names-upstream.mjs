// An MCP server whose tools are named like JavaScript's own object members, for the name-lookup test
// (test/e2e/policy-names.test.ts). Streamable HTTP, stateless, JSON responses, on 127.0.0.1 at PORT.
//
// Tools: one per name in NAMES, each echoing `{ tool, arguments }` (its input schema has a property of every name);
// `headers` returns the request headers it received. It records which tools were called:
//   GET /calls -> ["constructor", ...]      DELETE /calls forgets them
// `headers` answers with [name, value] pairs.
//   POST /mutate -> every description changes (a definition change the gateway must notice for every name)
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "then"];
const calls = [];
let generation = 1;
/** Headers of the request being served, as [name, value] pairs (a header may be named "__proto__"). */
let currentHeaders = [];

function properties() {
  const props = {};
  // Defined, so "__proto__" is an own property rather than the object's prototype.
  for (const n of NAMES) Object.defineProperty(props, n, { value: { type: "string" }, enumerable: true });
  return props;
}

function tools() {
  return [
    ...NAMES.map((name) => ({
      name,
      description: `The tool named ${name} (generation ${generation}); echoes its arguments.`,
      inputSchema: { type: "object", properties: properties(), additionalProperties: false },
    })),
    {
      name: "headers",
      description: `Returns the request headers it received (generation ${generation}).`,
      inputSchema: { type: "object", properties: {} },
    },
  ];
}

function mcpServer() {
  const server = new Server({ name: "names-upstream", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: tools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    calls.push(name);
    const value = name === "headers" ? currentHeaders : { tool: name, arguments: args };
    return { content: [{ type: "text", text: JSON.stringify(value) }] };
  });
  return server;
}

const http = createServer(async (req, res) => {
  if (req.url === "/calls") {
    if (req.method === "DELETE") calls.length = 0;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(calls));
    return;
  }
  if (req.url === "/mutate" && req.method === "POST") {
    generation++;
    res.writeHead(204).end();
    return;
  }
  if (req.method !== "POST") {
    res.writeHead(405).end();
    return;
  }
  currentHeaders = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    currentHeaders.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
  }
  const server = mcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on("close", () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
});
http.listen(Number(process.env.PORT), "127.0.0.1");
