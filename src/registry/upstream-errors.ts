/**
 * @module registry/upstream-errors
 * What went wrong with an upstream, in words: the MCP SDK and the runtime fail with errors written for
 * programmers (a zod issue list, "Network connection lost.", "Streamable HTTP error: Error POSTing to endpoint");
 * the model reads these messages as tool errors, so each becomes one sentence that names the upstream and what
 * happened. The upstream's own error text is quoted, capped.
 */
import { SdkError, SdkErrorCode, SdkHttpError, SseError } from "@modelcontextprotocol/client";
import type { Limits, ServerConfig } from "../config";
import { authorizationCause } from "./authorization-required";

/**
 * The SDK stopped waiting for the upstream's answer: the request was sent, so its effect is unknown. Judged by
 * the error's type and code, never its text (an upstream's own error message may well mention "timeout").
 */
export function isUpstreamTimeout(err: unknown): boolean {
  return err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout;
}

/** The per-call timeout of a server: its own `timeout_ms`, else `limits.tool_call_timeout_ms`. */
export function toolCallTimeout(server: ServerConfig, limits: Limits): { ms: number; setting: string } {
  return server.timeout_ms
    ? { ms: server.timeout_ms, setting: `timeout_ms of server "${server.name}"` }
    : { ms: limits.tool_call_timeout_ms, setting: "tool_call_timeout_ms" };
}

/** The message of a call that timed out, naming the limit and saying that its effect is unknown. */
export function toolTimeoutMessage(call: string, timeout: { ms: number; setting: string }): string {
  return `${call} timed out after ${timeout.ms} ms (${timeout.setting}); the request was sent, so it may or may not have taken effect`;
}

/** The upstream forgot our MCP session (404 to a request that carried it): a new session is needed. */
export function isLostSession(err: unknown): boolean {
  return err instanceof SdkHttpError && err.status === 404;
}

/**
 * Whether an upstream refused a request for want of a (valid) handshake: 400 (no session, not initialized,
 * unsupported protocol version) or 404 (unknown session). Only asked of connections opened from another
 * session's handshake (src/registry/shared-handshake.ts), where the request is known not to have run.
 */
export function isRefusedHandshake(err: unknown): boolean {
  return err instanceof SdkHttpError && (err.status === 400 || err.status === 404);
}

/** How workerd and Node word a broken or refused connection ("Network connection lost.", "terminated"). */
const NETWORK_ERROR =
  /network connection lost|^terminated$|fetch failed|econnrefused|econnreset|connection (refused|reset)/i;

/**
 * A request found the connection to an upstream refused or closed ("Network connection lost."): the server went down
 * or restarted since it was listed. A tool call that fails so says what to do ({@link toolCallFailure}).
 */
export class ConnectionLostError extends Error {
  override readonly name = "ConnectionLostError";
}

/** What a model can do about a lost connection; the call may have reached the server before it went. */
const LOST_CONNECTION_ADVICE =
  "The server may be down or restarting: list_servers shows its status; retry once it is back (a call the server had already received may or may not have taken effect).";

/** The error of a tool call (`server.tool`) that failed upstream: a lost connection also says what to do. */
export function toolCallFailure(call: string, err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  return err instanceof ConnectionLostError
    ? `${call} failed: ${message}. ${LOST_CONNECTION_ADVICE}`
    : `${call} failed: ${message}`;
}

/** Most characters of an upstream's error body quoted in a message. */
const MAX_QUOTED_CHARS = 200;
/** Most characters of an HTML body read for its text (the tag-stripping below stays linear and short). */
const MAX_HTML_READ = 8_000;

/**
 * Both transports failed to open a connection: Streamable HTTP (first), then the older HTTP+SSE one that the MCP
 * rule for a 4xx falls back to. {@link clarifyUpstreamError} words it from both errors and the URL.
 */
export class TransportsFailedError extends Error {
  override readonly name = "TransportsFailedError";
  constructor(
    readonly streamable: unknown,
    readonly sse: unknown,
  ) {
    super(
      `Streamable HTTP failed (${(streamable as Error)?.message}) and the HTTP+SSE fallback failed too (${(sse as Error)?.message})`,
    );
  }
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", nbsp: " " };

/**
 * An error body as one line: an HTML page (a web server's 404 page, a proxy's error page) becomes the text of its
 * body, else its title, so a message never carries markup; any body's line breaks become spaces.
 */
export function summarizeBody(body: string): string {
  let text = body;
  if (/^\s*<(!doctype|html|head|body)\b/i.test(text)) {
    const page = text.slice(0, MAX_HTML_READ);
    const title = /<title[^>]*>([^<]*)</i.exec(page)?.[1] ?? "";
    const bodyStart = page.search(/<body\b/i);
    const inner = (bodyStart >= 0 ? page.slice(bodyStart) : page).replace(/<[^>]*>?/g, " ");
    text = inner.trim() ? inner : title;
    text = text.replace(/&(amp|lt|gt|quot|apos|#39|nbsp);/g, (_, name: string) => ENTITIES[name] ?? "");
  }
  return text.replace(/\s+/g, " ").trim();
}

function parsed(url: string | undefined): URL | undefined {
  try {
    return url === undefined ? undefined : new URL(url);
  } catch {
    return undefined;
  }
}

/** Where a request went, as a message may show it: origin and path, never the query (it may hold a key). */
function endpointOf(url: string | undefined): string | undefined {
  const u = parsed(url);
  return u && `${u.origin}${u.pathname}`;
}

/**
 * Rewrites the SDK's and the runtime's errors into one sentence a model can act on (a schema error would
 * otherwise arrive as a page of JSON). Timeouts and JSON-RPC errors keep their message: the caller reads them.
 */
export function clarifyUpstreamError(
  err: unknown,
  name: string,
  /** Where the credentials of this upstream are set, for a 401 or 403 ("its headers in GATEWAY_CONFIG"). */
  credentials = "its headers in GATEWAY_CONFIG",
  /** The upstream's URL: its host and path are named where they are the likely fault (never its query). */
  url?: string,
): unknown {
  // The version probe wraps what our guarded fetch refused: a refusal stays a configuration error, unwrapped.
  const cause = err instanceof SdkError && err.code === SdkErrorCode.EraNegotiationFailed ? err.cause : undefined;
  if (cause instanceof Error && cause.name === "UrlRefusedError") return cause;
  // A user server that needs sign-in: execute_code and add_server act on this error's type.
  const auth = authorizationCause(err);
  if (auth) return auth;
  const e = err as { name?: string; message?: string; code?: unknown };
  const message = String(e?.message ?? err);
  const quoted = (text: string) => (text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text);
  let text: string | undefined;
  if (err instanceof TransportsFailedError && err.streamable instanceof SdkHttpError) {
    text = noEndpoint(err.streamable, err.sse, name, endpointOf(url), quoted);
  } else if (isUpstreamTimeout(err) && message.startsWith("Version negotiation probe timed out")) {
    // The SDK's own words ("Version negotiation probe timed out after 10000ms") name its internals, not the fault:
    // nothing answered the connection's first request, so no tool request was sent (not a tool call's timeout).
    const ms = (err as SdkError).data as { timeout?: unknown } | undefined;
    const after = typeof ms?.timeout === "number" ? ` within ${ms.timeout / 1000} s` : "";
    text = `upstream ${name} sent no reply to its first request${after} (the MCP version probe); check that the server is running and that its URL is its MCP endpoint`;
  } else if (err instanceof SdkError && err.code === SdkErrorCode.ClientHttpUnexpectedContent) {
    text = `upstream ${name} answered with the wrong content type (${quoted(message)})`;
  } else if (err instanceof SdkHttpError) {
    const detail = quoted(httpDetail(err));
    if (err.status === 401 || err.status === 403) {
      text = `upstream ${name} refused the gateway's credentials (HTTP ${err.status}): ${detail}; check ${credentials}`;
    } else text = `upstream ${name} answered HTTP ${err.status}: ${detail}`;
  } else if (e?.name === "ZodError") {
    text = `upstream ${name} answered with a message that is not valid JSON-RPC`;
  } else if (err instanceof SyntaxError) {
    text = `upstream ${name} answered with invalid JSON (${quoted(message)})`;
  } else if (NETWORK_ERROR.test(message) && message.startsWith("Version negotiation probe failed")) {
    // The connection's first request: nothing listens there, or it hung up before answering.
    const host = parsed(url)?.host;
    text = `could not connect to upstream ${name}${host ? ` at ${host}` : ""} (connection refused or closed); is the server running?`;
  } else if (NETWORK_ERROR.test(message)) {
    // Worded as list_servers words a refused first request; the runtime's own words stay, for debugging.
    return new ConnectionLostError(
      `the connection to upstream ${name} failed: connection refused or closed (the runtime said ${JSON.stringify(quoted(message))})`,
      { cause: err },
    );
  } else if (err instanceof TypeError) {
    text = `the connection to upstream ${name} failed: ${quoted(message)}`;
  }
  return text === undefined ? err : new Error(text, { cause: err });
}

/** What an HTTP error says: the body the upstream sent (the version probe's message omits it), on one line. */
function httpDetail(err: SdkHttpError): string {
  const sent = (err.data as { text?: unknown }).text;
  const body = err.message.startsWith("Version negotiation failed") && typeof sent === "string" ? sent : undefined;
  return summarizeBody(body || err.message.replace(/^(Streamable HTTP error: )?(Error POSTing to endpoint: )?/, ""));
}

/** Both transports were refused with an HTTP error: most often the URL is not the server's MCP endpoint. */
function noEndpoint(
  post: SdkHttpError,
  sse: unknown,
  name: string,
  endpoint: string | undefined,
  quoted: (text: string) => string,
): string {
  const detail = quoted(httpDetail(post));
  const getStatus = sse instanceof SseError && typeof sse.code === "number" ? sse.code : undefined;
  const fallback =
    getStatus === post.status
      ? ", and the same to the GET of the older HTTP+SSE transport"
      : getStatus !== undefined
        ? `, and HTTP ${getStatus} to the GET of the older HTTP+SSE transport`
        : `; the older HTTP+SSE transport failed too (${quoted(summarizeBody(String((sse as Error)?.message ?? sse)))})`;
  const hint =
    post.status === 404 || post.status === 405
      ? "check the URL's path (MCP servers usually serve /mcp)"
      : "check that the URL is the server's MCP endpoint";
  return `upstream ${name} answered HTTP ${post.status} to POST ${endpoint ?? "its URL"}${detail ? ` (${JSON.stringify(detail)})` : ""}${fallback}: ${hint}`;
}
