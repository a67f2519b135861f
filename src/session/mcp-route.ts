/**
 * @module session/mcp-route
 * `/mcp`: Streamable HTTP routing in front of the session Durable Objects. Here the spec's session rules are
 * applied before any object is touched: initialize mints a cryptographically random session id; any other request
 * without one gets 400; the session's object (named `<user>:<session>`) answers 404 when it does not know it.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { INITIALIZE_HEADER, INTERNAL_HEADERS, SESSION_HEADER, sessionObjectName, USER_HEADER } from "./session-headers";

/** Largest MCP request body accepted (code for execute_code travels in it). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SESSION_ID = /^[\x21-\x7e]{16,128}$/;

export type McpVariables = { user: string };

function jsonRpcError(status: number, code: number, message: string, headers?: HeadersInit): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status, headers });
}

/** 43 characters of base64url: 256 random bits, visible ASCII only. */
export function mintSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (m) => m !== null && typeof m === "object" && (m as { method?: unknown }).method === "initialize",
  );
}

function forward(env: Env, request: Request, user: string, session: string, init: boolean, body?: string) {
  const headers = new Headers(request.headers);
  for (const h of INTERNAL_HEADERS) headers.delete(h);
  headers.set(USER_HEADER, user);
  headers.set(SESSION_HEADER, session);
  if (init) headers.set(INITIALIZE_HEADER, "1");
  const forwarded = new Request(request.url, { method: request.method, headers, body: body ?? null });
  return env.SESSION.getByName(sessionObjectName(user, session)).fetch(forwarded);
}

export const mcpRoute = new Hono<{ Bindings: Env; Variables: McpVariables }>().all("/", async (c) => {
  const request = c.req.raw;
  const user = c.get("user");
  const sessionHeader = request.headers.get("mcp-session-id");

  if (request.method === "POST") {
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_BODY_BYTES) return jsonRpcError(413, -32600, `request body over ${MAX_BODY_BYTES} bytes`);
    const text = await request.text();
    if (text.length > MAX_BODY_BYTES) return jsonRpcError(413, -32600, `request body over ${MAX_BODY_BYTES} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return jsonRpcError(400, -32700, "Parse error: the body is not valid JSON");
    }
    if (isInitialize(body)) {
      if (sessionHeader) return jsonRpcError(400, -32600, "Invalid Request: initialize must not carry Mcp-Session-Id");
      return forward(c.env, request, user, mintSessionId(), true, text);
    }
    if (!sessionHeader) return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    if (!SESSION_ID.test(sessionHeader)) return jsonRpcError(404, -32001, "Session not found");
    return forward(c.env, request, user, sessionHeader, false, text);
  }

  if (request.method === "GET" || request.method === "DELETE") {
    if (!sessionHeader) return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    if (!SESSION_ID.test(sessionHeader)) return jsonRpcError(404, -32001, "Session not found");
    return forward(c.env, request, user, sessionHeader, false);
  }

  return jsonRpcError(405, -32000, "Method not allowed", { Allow: "GET, POST, DELETE" });
});
