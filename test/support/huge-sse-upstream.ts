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
  const records = new Map<string, { bytes: number; cutOff: boolean; done: Promise<void> }>();

  /** Writes one event of `size` bytes on `res` (the stream), stopping when the client hangs up. */
  async function sendHuge(res: ServerResponse, kind: string, head: string, tail: string) {
    let ended!: () => void;
    const record = { bytes: 0, cutOff: false, done: new Promise<void>((r) => (ended = r)) };
    records.set(kind, record);
    const filler = "x".repeat(64 * 1024);
    const write = (chunk: string) =>
      new Promise<void>((resolve) => {
        record.bytes += chunk.length;
        if (res.write(chunk)) return resolve();
        const go = () => {
          res.off("drain", go).off("close", go);
          resolve();
        };
        res.on("drain", go).on("close", go);
      });
    await write(head);
    while (record.bytes < size && !res.destroyed) await write(filler);
    if (!res.destroyed) await write(tail);
    record.cutOff = res.destroyed;
    ended();
  }

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
    await sendHuge(stream.res, kind, head, tail);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sse`,
    async sent(kind) {
      const record = records.get(kind);
      if (!record) throw new Error(`the upstream never answered ${kind}`);
      await Promise.race([record.done, new Promise((r) => setTimeout(r, 5_000))]);
      return { bytes: record.bytes, cutOff: record.cutOff };
    },
    async stop() {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
