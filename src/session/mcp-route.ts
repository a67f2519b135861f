/**
 * @module session/mcp-route
 * `/mcp`: Streamable HTTP routing in front of the session Durable Objects. Here the spec's session rules are
 * applied before any object is touched: initialize mints a cryptographically random session id; any other request
 * without one gets 400; the session's object (named `<user>:<session>`) answers 404 when it does not know it.
 * Bodies over `limits.max_request_bytes` get 413 (read as a stream and cut off, so a chunked body without
 * Content-Length cannot exhaust memory either), and an unsupported `MCP-Protocol-Version` gets 400.
 *
 * MCP 2026-07-28 requests (classified by the SDK's `isLegacyRequest`) have no session: they go to the object of
 * their context (src/session/context-route.ts), which answers them statelessly and applies that revision's rules.
 */
import { isLegacyRequest, PROTOCOL_VERSION_META_KEY, SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import { Hono } from "hono";
import { loadConfig } from "../config";
import type { Env } from "../env";
import { DISCARD_BOUND_BYTES, discardRequestBody, readCapped } from "../shared/read-capped";
import { chooseContext, DEFAULT_CONTEXT } from "./context-route";
import {
  CONTEXT_HEADER,
  INITIALIZE_HEADER,
  INTERNAL_HEADERS,
  NEW_CONTEXT_HEADER,
  SESSION_HEADER,
  sessionObjectName,
  USER_HEADER,
} from "./session-headers";

/** Default of `limits.max_request_bytes`: the largest MCP request body accepted (execute_code's code travels in it). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SESSION_ID = /^[\x21-\x7e]{16,128}$/;

export type McpVariables = { user: string };

function jsonRpcError(status: number, code: number, message: string, headers?: HeadersInit, id: unknown = null) {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id }, { status, headers });
}

function requestId(body: unknown): unknown {
  const id = body !== null && typeof body === "object" ? (body as { id?: unknown }).id : undefined;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** 43 characters of base64url: 256 random bits, visible ASCII only. */
export function mintSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** 413 naming the limit (also used by the app for declared sizes on the built-in servers' routes). */
export function tooLarge(max: number): Response {
  return jsonRpcError(
    413,
    -32600,
    `Payload Too Large: the request body is over ${max} bytes (limits.max_request_bytes); send less code or data per request`,
  );
}

/** 400 for an MCP-Protocol-Version header this gateway does not speak (MCP 2025-11-25, transports). */
function badProtocolVersion(request: Request): Response | undefined {
  const version = request.headers.get("mcp-protocol-version");
  if (version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  return jsonRpcError(
    400,
    -32000,
    `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(version.slice(0, 64))} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}; and 2026-07-28, which a client names in each request's _meta["${PROTOCOL_VERSION_META_KEY}"], with no session)`,
  );
}

function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (m) => m !== null && typeof m === "object" && (m as { method?: unknown }).method === "initialize",
  );
}

type Route = { session: string; init?: boolean } | { context: string; minted: boolean };

function forward(env: Env, request: Request, user: string, route: Route, body?: string) {
  const headers = new Headers(request.headers);
  for (const h of INTERNAL_HEADERS) headers.delete(h);
  // The client's credential stops here: the session object and every upstream behind it never see it.
  headers.delete("authorization");
  headers.delete("cookie");
  headers.set(USER_HEADER, user);
  const session = "session" in route ? route.session : route.context;
  headers.set(SESSION_HEADER, session);
  if ("session" in route && route.init) headers.set(INITIALIZE_HEADER, "1");
  if ("context" in route) headers.set(CONTEXT_HEADER, route.context);
  if ("context" in route && route.minted) headers.set(NEW_CONTEXT_HEADER, "1");
  const forwarded = new Request(request.url, { method: request.method, headers, body: body ?? null });
  return env.SESSION.getByName(sessionObjectName(user, session)).fetch(forwarded);
}

export const mcpRoute = new Hono<{ Bindings: Env; Variables: McpVariables }>().all("/", async (c) => {
  const request = c.req.raw;
  const user = c.get("user");
  const sessionHeader = request.headers.get("mcp-session-id");

  if (request.method === "POST") {
    const loaded = loadConfig(c.env.GATEWAY_CONFIG);
    const max = loaded.ok ? loaded.config.limits.max_request_bytes : MAX_BODY_BYTES;
    if (Number(request.headers.get("content-length") ?? 0) > max) {
      await discardRequestBody(request);
      return tooLarge(max);
    }
    const text = await readCapped(request.body, max, DISCARD_BOUND_BYTES);
    if (text === undefined) return tooLarge(max);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return jsonRpcError(400, -32700, "Parse error: the body is not valid JSON");
    }
    if (!(await isLegacyRequest(request, body, { maxRequestBodySize: max }))) {
      const choice = chooseContext(body);
      if (!choice.ok) return jsonRpcError(400, -32602, choice.error, undefined, requestId(body));
      return forward(c.env, request, user, choice, text);
    }
    if (isInitialize(body)) {
      if (sessionHeader) return jsonRpcError(400, -32600, "Invalid Request: initialize must not carry Mcp-Session-Id");
      return forward(c.env, request, user, { session: mintSessionId(), init: true }, text);
    }
    const badVersion = badProtocolVersion(request);
    if (badVersion) return badVersion;
    if (!sessionHeader) return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    if (!SESSION_ID.test(sessionHeader)) return jsonRpcError(404, -32001, "Session not found");
    return forward(c.env, request, user, { session: sessionHeader }, text);
  }

  if (request.method === "GET" || request.method === "DELETE") {
    // A 2026-07-28 client has no session to stream or end; its context object answers with that revision's error.
    if (!(await isLegacyRequest(request))) {
      return forward(c.env, request, user, { context: DEFAULT_CONTEXT, minted: false });
    }
    const badVersion = badProtocolVersion(request);
    if (badVersion) return badVersion;
    if (!sessionHeader && request.method === "GET" && opensInBrowser(request)) return browserHint(request);
    if (!sessionHeader) return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    if (!SESSION_ID.test(sessionHeader)) return jsonRpcError(404, -32001, "Session not found");
    return forward(c.env, request, user, { session: sessionHeader });
  }

  return jsonRpcError(405, -32000, "Method not allowed", { Allow: "GET, POST, DELETE" });
});

/** A browser opening the endpoint (it asks for a page; MCP clients ask for JSON or an event stream). */
function opensInBrowser(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("text/html") && !accept.includes("text/event-stream");
}

/** What a person who opened /mcp in a browser reads instead of a JSON-RPC error. */
function browserHint(request: Request): Response {
  const origin = new URL(request.url).origin;
  const text = [
    "This is the MCP endpoint of codemode-gateway: connect an MCP client to it, for example",
    `  npx @modelcontextprotocol/inspector --cli ${origin}/mcp --transport http --method tools/list`,
    "",
    `Pages for people: ${origin}/dashboard (executions, approvals, skills) and ${origin}/connections (your servers).`,
  ].join("\n");
  return new Response(text, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
}
