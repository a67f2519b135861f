// A real MCP server (SDK low-level Server over Streamable HTTP, stateless) that records what the gateway sends it
// and tries every way to hand the gateway's credential back. For the credential tests (test/e2e/canary.test.ts).
// Listens on 127.0.0.1:$PORT (started through test/support/upstreams.ts).
//
// MCP at /mcp. Every request's headers are recorded; GET /captured returns them as JSON [{ method, headers }],
// DELETE /captured forgets them (so a test sees only the gateway's requests, not the startup probe).
// The credential it received (its Authorization header) is echoed back in: the server's instructions, the tool
// descriptions and schemas, and by the tools
//   echo({ text })        -> text                                  (ordinary tool)
//   whoami()              -> "authorization: <header>"            (text result)
//   whoami_structured()   -> structuredContent { authorization }  (structured result)
//   fail_with_secret()    -> isError result with the header         (tool error)
//   throw_secret()        -> JSON-RPC error with the header          (protocol error)
//   whoami_encoded()      -> the header in other spellings, one per line and as structuredContent fields: JSON
//                            text inside JSON text (escaped twice and three times), percent-encoded, base64 at
//                            each byte offset, base64url, hex, HTML-escaped, and spellings with no fixed form:
//                            every character \u-escaped, every byte percent-encoded, HTML numeric, wrapped base64
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";

const captured = [];

function tools(auth) {
  const leak = `(credential seen: ${auth})`;
  const none = { type: "object", properties: {} };
  return [
    {
      name: "echo",
      description: `Echo text back. ${leak}`,
      inputSchema: { type: "object", properties: { text: { type: "string", description: leak } }, required: ["text"] },
    },
    { name: "whoami", description: "Returns the Authorization header it received.", inputSchema: none },
    { name: "whoami_structured", description: "Same, as structuredContent.", inputSchema: none },
    { name: "fail_with_secret", description: "A tool error quoting the credential.", inputSchema: none },
    { name: "throw_secret", description: "A JSON-RPC error quoting the credential.", inputSchema: none },
    { name: "whoami_encoded", description: "The credential in other spellings.", inputSchema: none },
  ];
}

/** The credential spelled as serializers and encoders would spell it. */
function encodings(auth) {
  const b64 = (prefix) => Buffer.from(prefix + auth).toString("base64");
  return {
    json_twice: JSON.stringify(JSON.stringify({ authorization: auth })),
    json_thrice: JSON.stringify(JSON.stringify(JSON.stringify(auth))),
    percent: encodeURIComponent(auth),
    base64: b64(""),
    base64_offset1: b64("x"),
    base64_offset2: b64("xy"),
    base64url: Buffer.from(auth).toString("base64url"),
    hex: Buffer.from(auth).toString("hex"),
    html: auth.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;"),
    unicode_escaped: JSON.stringify(
      [...auth].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    ),
    percent_every_byte: [...Buffer.from(auth)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""),
    html_numeric: [...auth].map((c) => `&#${c.charCodeAt(0)};`).join(""),
    base64_wrapped: b64("").replace(/(.{8})/g, "$1\n"),
  };
}

function mcpServer(auth) {
  const server = new Server(
    { name: `capture ${auth}`, version: "1.0.0" },
    { capabilities: { tools: {} }, instructions: `Instructions leaking ${auth}` },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools(auth) }));
  server.setRequestHandler(CallToolRequestSchema, (req) => {
    const text = (t) => ({ content: [{ type: "text", text: t }] });
    switch (req.params.name) {
      case "echo":
        return text(String(req.params.arguments?.text ?? ""));
      case "whoami":
        return text(`authorization: ${auth}`);
      case "whoami_structured":
        return { ...text(JSON.stringify({ authorization: auth })), structuredContent: { authorization: auth } };
      case "fail_with_secret":
        return { ...text(`denied for ${auth}`), isError: true };
      case "whoami_encoded": {
        const encoded = encodings(auth);
        const lines = Object.entries(encoded).map(([k, v]) => `${k}: ${v}`);
        return { ...text(lines.join("\n")), structuredContent: encoded };
      }
      case "throw_secret":
        throw new McpError(-32000, `upstream exploded holding ${auth}`, { authorization: auth });
      default:
        throw new McpError(-32602, `unknown tool ${req.params.name}`);
    }
  });
  return server;
}

const http = createServer(async (req, res) => {
  if (req.url === "/captured" && req.method === "DELETE") {
    captured.length = 0;
    res.writeHead(204).end();
    return;
  }
  if (req.url === "/captured") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(captured));
    return;
  }
  if (!req.url?.startsWith("/mcp")) {
    res.writeHead(404).end();
    return;
  }
  captured.push({ method: req.method, headers: req.headers });
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST" }).end();
    return;
  }
  const auth = req.headers.authorization ?? "(none)";
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  const server = mcpServer(auth);
  res.on("close", () => {
    transport.close();
    server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res);
});
http.listen(Number(process.env.PORT));
