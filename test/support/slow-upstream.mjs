// A small MCP server for limit and hostile-code tests (Streamable HTTP, stateless, JSON responses) on 127.0.0.1 at
// PORT. It records every tools/call it receives, so a test can prove that a call never reached it (late or rejected
// calls) and how many ran at once (per-upstream concurrency). Started with startNodeUpstream (test/support/upstreams.ts).
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const received = { total: 0, by_tool: Object.create(null), in_flight: 0, max_in_flight: 0 };

const object = (properties, required = []) => ({ type: "object", properties, required });
const text = (value) => ({
  content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value) }],
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tools: name -> [input schema, handler]. `count` and `reset` are bookkeeping and are not counted. */
const TOOLS = {
  sleep: [
    object({ ms: { type: "integer", minimum: 0 } }, ["ms"]),
    async ({ ms }) => {
      await sleep(ms);
      return text({ slept: ms });
    },
  ],
  echo: [object({ value: {} }), async ({ value }) => text({ value: value ?? null })],
  typed: [
    {
      type: "object",
      properties: {
        name: { type: "string" },
        count: { type: "integer", minimum: 0 },
        tags: { type: "array", items: { type: "string" } },
        nested: object({ flag: { type: "boolean" } }, ["flag"]),
        order: { type: "string", enum: ["ascending", "descending"] },
      },
      required: ["name"],
      additionalProperties: false,
    },
    async (args) => text(args),
  ],
  big: [object({ bytes: { type: "integer", minimum: 0 } }, ["bytes"]), async ({ bytes }) => text("x".repeat(bytes))],
  big_json: [
    object({ items: { type: "integer", minimum: 0 } }, ["items"]),
    async ({ items }) => text({ items: Array.from({ length: items }, (_, i) => ({ i, pad: "y".repeat(90) })) }),
  ],
  // Answers with a JSON-RPC error (the low-level Server turns a throw into one), not an isError result.
  rpc_error: [
    object({ message: { type: "string" } }),
    async ({ message }) => {
      throw new Error(message ?? "failed on purpose");
    },
  ],
  fail: [
    object({ message: { type: "string" } }),
    async ({ message }) => ({ ...text(message ?? "failed on purpose"), isError: true }),
  ],
  // biome-ignore lint/suspicious/noThenProperty: a tool named "then" is the point (name-trick tests).
  then: [object({}), async () => text("then tool ran")],
  constructor: [object({}), async () => text("constructor tool ran")],
  // Computed, so it is an own key rather than the object literal's prototype.
  ["__proto__"]: [object({}), async () => text("__proto__ tool ran")],
  count: [object({}), async () => text({ ...received, by_tool: { ...received.by_tool } })],
  reset: [
    object({}),
    async () => {
      Object.assign(received, { total: 0, by_tool: Object.create(null), max_in_flight: received.in_flight });
      return text("reset");
    },
  ],
};
const BOOKKEEPING = new Set(["count", "reset"]);

function mcpServer() {
  const server = new Server({ name: "slow-upstream", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: Object.entries(TOOLS).map(([name, [inputSchema]]) => ({
      name,
      description: `test tool ${name}`,
      inputSchema,
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const { name, arguments: args = {} } = request.params;
    const tool = Object.hasOwn(TOOLS, name) ? TOOLS[name] : undefined;
    if (!tool) return { ...text(`unknown tool ${name}`), isError: true };
    if (BOOKKEEPING.has(name)) return tool[1](args);
    received.total++;
    received.by_tool[name] = (received.by_tool[name] ?? 0) + 1;
    received.in_flight++;
    received.max_in_flight = Math.max(received.max_in_flight, received.in_flight);
    try {
      return await tool[1](args);
    } finally {
      received.in_flight--;
    }
  });
  return server;
}

const http = createServer(async (req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405).end();
    return;
  }
  // Stateless: a fresh server and transport per request, as the SDK recommends for this mode.
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
