// A real MCP upstream that counts what it is asked, for the tests and the bench of shared handshakes
// (src/registry/shared-handshake.ts). PORT from the environment, 127.0.0.1 only.
//
// Arguments: [mode] [delay ms] [extra tools], e.g. `counting-upstream.mjs stateless 20 3`.
//   stateful   2025-11-25 with sessions (SDK v1 StreamableHTTPServerTransport, one per Mcp-Session-Id)
//   stateless  2025-11-25 without sessions (a server and transport per request)
//   modern     2026-07-28 (SDK v2 createMcpHandler), 2025-11-25 statelessly for older clients
//   delay ms   every HTTP request waits this long first (added latency, as a distant upstream has); default 0
//   tools      how many tools it lists besides `echo`; default 3
//
// GET /counts answers { "<JSON-RPC method>": n, ..., posts: n, lost_sessions: n, request_ids: [...] };
// POST /forget-sessions drops every session, as a restarted server would (the next request with an old id: 404).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, isInitializeRequest, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";

const MODE = process.argv[2] ?? "stateful";
const DELAY_MS = Number(process.argv[3] ?? 0);
const EXTRA_TOOLS = Number(process.argv[4] ?? 3);
const counts = new Map();
const requestIds = [];
let posts = 0;
let lostSessions = 0;
const sessions = new Map();

const count = (key) => counts.set(key, (counts.get(key) ?? 0) + 1);
const echoResult = (args) => ({ content: [{ type: "text", text: JSON.stringify(args ?? {}) }] });
const extraTools = Array.from({ length: EXTRA_TOOLS }, (_, i) => ({
  name: `tool_${i}`,
  description: `Synthetic tool number ${i}`,
  inputSchema: { type: "object", properties: { value: { type: "string" } } },
}));

function legacyServer() {
  const server = new Server({ name: `counting-${MODE}`, version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name: "echo",
        description: "Echoes its arguments",
        inputSchema: { type: "object", properties: { text: { type: "string" } } },
      },
      ...extraTools,
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, (req) => echoResult(req.params.arguments));
  return server;
}

const modern = createMcpHandler(() => {
  const server = new McpServer({ name: "counting-modern", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes its arguments", inputSchema: z.object({ text: z.string().optional() }) },
    async (args) => echoResult(args),
  );
  for (const t of extraTools) {
    server.registerTool(
      t.name,
      { description: t.description, inputSchema: z.object({ value: z.string().optional() }) },
      async (args) => echoResult(args),
    );
  }
  return server;
});

async function serveModern(req, res, body) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const request = new Request(`http://127.0.0.1${req.url}`, {
    method: req.method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await modern.fetch(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (response.body) for await (const chunk of response.body) res.write(chunk);
  res.end();
}

async function serveStateful(req, res, body) {
  const id = req.headers["mcp-session-id"];
  if (typeof id === "string") {
    const transport = sessions.get(id);
    if (!transport) {
      lostSessions++;
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
      return;
    }
    await transport.handleRequest(req, res, body);
    return;
  }
  if (req.method !== "POST" || !isInitializeRequest(body)) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Bad Request: no session" }, id: null }));
    return;
  }
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: true,
    onsessioninitialized: (sid) => sessions.set(sid, transport),
  });
  await legacyServer().connect(transport);
  await transport.handleRequest(req, res, body);
}

async function serveStateless(req, res, body) {
  if (req.method !== "POST") {
    res.writeHead(405, { Allow: "POST" }).end();
    return;
  }
  const server = legacyServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on("close", () => {
    transport.close().catch(() => {});
    server.close().catch(() => {});
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

createServer(async (req, res) => {
  try {
    if (req.url === "/counts") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ ...Object.fromEntries(counts), posts, lost_sessions: lostSessions, request_ids: requestIds }),
      );
      return;
    }
    if (req.url === "/forget-sessions" && req.method === "POST") {
      sessions.clear();
      res.writeHead(204).end();
      return;
    }
    if (!req.url?.startsWith("/mcp")) {
      res.writeHead(404).end();
      return;
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    if (req.method === "POST") {
      posts++;
      for (const m of Array.isArray(body) ? body : [body]) {
        if (typeof m?.method === "string") count(m.method);
        if (m?.method === "tools/call" && requestIds.length < 1000) requestIds.push(m.id);
      }
    }
    if (DELAY_MS > 0) await new Promise((r) => setTimeout(r, DELAY_MS));
    if (MODE === "modern") await serveModern(req, res, body);
    else if (MODE === "stateless") await serveStateless(req, res, body);
    else await serveStateful(req, res, body);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500).end(String(err?.message ?? err));
  }
}).listen(Number(process.env.PORT), "127.0.0.1");
