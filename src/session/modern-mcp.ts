/**
 * @module session/modern-mcp
 * Serves MCP 2026-07-28 requests in a context's object. That revision is stateless on the wire: every request
 * carries its version and capabilities, so each one gets a fresh server instance from the SDK's `createMcpHandler`
 * (which enforces the revision's headers, `_meta` envelope, error codes and `server/discover`). What spans requests
 * (`state`, live executions, the registry connections) stays in the object, as a 2025-11-25 session's does.
 */
import { createMcpHandler, type McpHttpHandler, type McpServer } from "@modelcontextprotocol/server";
import { DEFAULT_CONTEXT } from "./context-route";
import { retentionText } from "./session-retention";

/** Open `subscriptions/listen` streams per context: each keeps the object busy, and lists change rarely. */
const MAX_SUBSCRIPTIONS = 4;

/** The 2026-07-28 endpoint of one context object. */
export class ModernMcp {
  readonly #handler: McpHttpHandler;

  constructor(factory: () => McpServer, maxBodyBytes: number) {
    this.#handler = createMcpHandler(factory, {
      legacy: "reject",
      maxRequestBodySize: maxBodyBytes,
      maxSubscriptions: MAX_SUBSCRIPTIONS,
    });
  }

  /** Serves one request of `user` (the Worker authenticated them; tools read it as the request's client id). */
  serve(request: Request, user: string): Promise<Response> {
    return this.#handler.fetch(request, { authInfo: { token: "", clientId: user, scopes: [] } });
  }

  async close(): Promise<void> {
    await this.#handler.close();
  }
}

/**
 * Whether a context object with no meta yet may start: `default` always exists, other ids only when the Worker
 * just minted them for `context: "new"`. Anything else is an id this gateway never gave the user.
 */
export function mayStartContext(context: string, minted: boolean): boolean {
  return context === DEFAULT_CONTEXT || minted;
}

/**
 * The JSON-RPC error for a context id the user does not have. An expired context stored nothing to tell it from an
 * id never minted, so the message says that contexts expire (`retentionMs`: limits.session_idle_retention_ms).
 * It is the call's invalid params, answered in-band on HTTP 200 as the 2026-07-28 transport answers an error of a
 * request handler: a 404 is the transport's (clients report "Error POSTing to endpoint", not the JSON-RPC error).
 */
export async function unknownContext(request: Request, context: string, retentionMs: number): Promise<Response> {
  const body = (await request
    .clone()
    .json()
    .catch(() => undefined)) as { id?: unknown } | undefined;
  const id = typeof body?.id === "string" || typeof body?.id === "number" ? body.id : null;
  const message = `Invalid params: unknown context ${context} (contexts are deleted after ${retentionText(retentionMs)} without a request); pass context "new" to start one, or an id a result named`;
  return Response.json({ jsonrpc: "2.0", id, error: { code: -32602, message } });
}
