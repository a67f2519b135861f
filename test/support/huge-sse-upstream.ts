/**
 * A legacy MCP server (the older HTTP+SSE transport only: the SDK's `SSEServerTransport`) on loopback that sends
 * one huge message. Requests are POSTed to `/messages` and every answer comes on the client's GET `/sse` event
 * stream; a POST to `/sse` (a Streamable HTTP initialize) gets 405, so clients fall back to HTTP+SSE. Tool `echo`
 * answers as usual; tool `huge`, and tools/list on a stream opened as `/sse?list=huge`, are answered by hand with
 * one event of `size` bytes, written 64 KB at a time on that stream, as a real server writes a big result.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { HugeWrites } from "./huge-writes";

export interface HugeSseUpstream {
  /** The SSE endpoint (`/sse`). */
  url: string;
  /** What the server wrote of its last huge answer of that kind ("huge" or "tools/list"), once it ended. */
  sent(kind: string): Promise<{ bytes: number; cutOff: boolean }>;
  stop(): Promise<void>;
}

const TOOLS = ["echo", "huge"].map((name) => ({
  name,
  description: `The ${name} tool.`,
  inputSchema: { type: "object" as const, properties: { text: { type: "string" } } },
}));

export async function startHugeSseUpstream(size: number): Promise<HugeSseUpstream> {
  const streams = new Map<string, { transport: SSEServerTransport; res: ServerResponse; hugeList: boolean }>();
  const writes = new HugeWrites();
  const filler = "x".repeat(64 * 1024);

  const http = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/sse" && req.method === "GET") {
      const transport = new SSEServerTransport("/messages", res);
      const server = new Server({ name: "huge-sse", version: "1.0.0" }, { capabilities: { tools: {} } });
      server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
      server.setRequestHandler(CallToolRequestSchema, (request) => ({
        content: [{ type: "text", text: JSON.stringify(request.params.arguments ?? {}) }],
      }));
      streams.set(transport.sessionId, { transport, res, hugeList: url.searchParams.get("list") === "huge" });
      res.on("close", () => {
        streams.delete(transport.sessionId);
        server.close().catch(() => {});
      });
      await server.connect(transport);
      return;
    }
    if (url.pathname !== "/messages" || req.method !== "POST") return void res.writeHead(405).end();
    const stream = streams.get(url.searchParams.get("sessionId") ?? "");
    if (!stream) return void res.writeHead(404).end("unknown session");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const message = JSON.parse(Buffer.concat(chunks).toString());
    const id = JSON.stringify(message?.id ?? null);
    const kind =
      message?.method === "tools/list" && stream.hugeList
        ? "tools/list"
        : message?.method === "tools/call" && message.params?.name === "huge"
          ? "huge"
          : undefined;
    if (!kind) return stream.transport.handlePostMessage(req, res, message);
    // Accepted here; the answer goes on the event stream, as the transport sends every answer.
    res.writeHead(202).end("Accepted");
    const head =
      kind === "huge"
        ? `event: message\ndata: {"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"`
        : `event: message\ndata: {"jsonrpc":"2.0","id":${id},"result":{"tools":[{"name":"t","description":"`;
    const tail = kind === "huge" ? `"}]}}\n\n` : `","inputSchema":{"type":"object"}}]}}\n\n`;
    await writes.send(stream.res, kind, size, { head, filler, tail }, false);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    sent: (kind) => writes.sent(kind),
    async stop() {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
