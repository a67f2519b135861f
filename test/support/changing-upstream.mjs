// A real MCP server (SDK low-level Server over Streamable HTTP, stateful sessions) whose tool list changes on
// demand, for registry tests. Listens on 127.0.0.1:$PORT (started through test/support/upstreams.ts).
//
//   node changing-upstream.mjs [--tools N] [--broken]
//
// MCP at /mcp. Tools: `echo` ({ message }) and `add` ({ a, b }), plus N generated `tool_0000`… tools.
// Control endpoints (plain HTTP, JSON):
//   POST /control/change  { "action": "change_echo" | "add" | "remove", "name"?, "notify"?: true }
//        change_echo: echo gains a required `prefix` and returns prefix + message (a changed definition);
//        add / remove: a tool `name` appears (returns "<name> ok") or disappears.
//        notify (default true): send notifications/tools/list_changed to every open session.
//   GET  /control/stats   { list_calls, initialize_calls, sessions }
// --broken: every MCP request answers HTTP 500 (an upstream that is up but broken).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const args = process.argv.slice(2);
const generated = Number(args[args.indexOf("--tools") + 1] ?? 0) || 0;
const broken = args.includes("--broken");
const TOPICS = ["invoices", "weather", "calendar", "tickets", "repositories", "payments", "contacts", "files"];

/** name -> { def, run(args) } */
const tools = new Map();
const stats = { list_calls: 0, initialize_calls: 0 };
const sessions = new Map();

function define(name, description, properties, required, run) {
  tools.set(name, {
    def: { name, description, inputSchema: { type: "object", properties, required, additionalProperties: false } },
    run,
  });
}

define("echo", "Echo a message back.", { message: { type: "string" } }, ["message"], (a) => String(a.message));
define("add", "Add two numbers.", { a: { type: "number" }, b: { type: "number" } }, ["a", "b"], (a) => a.a + a.b);
for (let i = 0; i < generated; i++) {
  const name = `tool_${String(i).padStart(4, "0")}`;
  const topic = TOPICS[i % TOPICS.length];
  define(name, `Generated tool ${i}: looks up ${topic} record ${i}.`, { id: { type: "string" } }, ["id"], () => name);
}

function change(body) {
  if (body.action === "change_echo") {
    define(
      "echo",
      "Echo a message back with a prefix.",
      { message: { type: "string" }, prefix: { type: "string" } },
      ["message", "prefix"],
      (a) => `${a.prefix}${a.message}`,
    );
  } else if (body.action === "add") {
    define(body.name, `Added at runtime: ${body.name}.`, {}, [], () => `${body.name} ok`);
  } else if (body.action === "remove") {
    tools.delete(body.name);
  } else {
    throw new Error(`unknown action ${body.action}`);
  }
}

function newServer() {
  const server = new Server(
    { name: "changing-upstream", version: "1.0.0" },
    { capabilities: { tools: { listChanged: true } } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    stats.list_calls++;
    return { tools: [...tools.values()].map((t) => t.def) };
  });
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const tool = tools.get(req.params.name);
    if (!tool) return { isError: true, content: [{ type: "text", text: `no tool ${req.params.name}` }] };
    const value = tool.run(req.params.arguments ?? {});
    return { content: [{ type: "text", text: typeof value === "string" ? value : JSON.stringify(value) }] };
  });
  return server;
}

async function readJson(req) {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  return raw ? JSON.parse(raw) : undefined;
}

function reply(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/control/stats") return reply(res, 200, { ...stats, sessions: sessions.size });
    if (url.pathname === "/control/change" && req.method === "POST") {
      const body = await readJson(req);
      change(body);
      if (body.notify !== false) {
        await Promise.all([...sessions.values()].map((s) => s.server.sendToolListChanged().catch(() => {})));
      }
      return reply(res, 200, { ok: true, tools: [...tools.keys()].length });
    }
    if (url.pathname !== "/mcp") return reply(res, 404, { error: "not found" });
    if (broken) return reply(res, 500, { error: "this upstream is broken on purpose" });

    const body = req.method === "POST" ? await readJson(req) : undefined;
    const id = req.headers["mcp-session-id"];
    let session = typeof id === "string" ? sessions.get(id) : undefined;
    if (!session) {
      if (req.method !== "POST" || body?.method !== "initialize") {
        return reply(res, 404, { jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null });
      }
      stats.initialize_calls++;
      const server = newServer();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => sessions.set(sid, { server, transport }),
      });
      transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
      await server.connect(transport);
      session = { server, transport };
    }
    await session.transport.handleRequest(req, res, body);
  } catch (err) {
    if (!res.headersSent) reply(res, 500, { error: String(err?.message ?? err) });
  }
}).listen(Number(process.env.PORT));
