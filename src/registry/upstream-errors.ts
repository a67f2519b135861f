/**
 * @module registry/upstream-errors
 * What went wrong with an upstream, in words: the MCP SDK and the runtime fail with errors written for
 * programmers (a zod issue list, "Network connection lost.", "Streamable HTTP error: Error POSTing to endpoint");
 * the model reads these messages as tool errors, so each becomes one sentence that names the upstream and what
 * happened. The upstream's own error text is quoted, capped.
 */
import { SdkError, SdkErrorCode, SdkHttpError } from "@modelcontextprotocol/client";
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

/** Most characters of an upstream's error body quoted in a message. */
const MAX_QUOTED_CHARS = 200;

/**
 * Rewrites the SDK's and the runtime's errors into one sentence a model can act on (a schema error would
 * otherwise arrive as a page of JSON). Timeouts and JSON-RPC errors keep their message: the caller reads them.
 */
export function clarifyUpstreamError(
  err: unknown,
  name: string,
  /** Where the credentials of this upstream are set, for a 401 or 403 ("its headers in GATEWAY_CONFIG"). */
  credentials = "its headers in GATEWAY_CONFIG",
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
  if (isUpstreamTimeout(err) && message.startsWith("Version negotiation probe timed out")) {
    // The SDK's own words ("Version negotiation probe timed out after 10000ms") name its internals, not the fault:
    // nothing answered the connection's first request, so no tool request was sent (not a tool call's timeout).
    const ms = (err as SdkError).data as { timeout?: unknown } | undefined;
    const after = typeof ms?.timeout === "number" ? ` within ${ms.timeout / 1000} s` : "";
    text = `upstream ${name} sent no reply to its first request${after} (the MCP version probe); check that the server is running and that its URL is its MCP endpoint`;
  } else if (err instanceof SdkError && err.code === SdkErrorCode.ClientHttpUnexpectedContent) {
    text = `upstream ${name} answered with the wrong content type (${quoted(message)})`;
  } else if (err instanceof SdkHttpError) {
    // The version probe's message omits the body the upstream sent; quote the body then.
    const sent = (err.data as { text?: unknown }).text;
    const body = err.message.startsWith("Version negotiation failed") && typeof sent === "string" ? sent : undefined;
    const detail = quoted(body || message.replace(/^(Streamable HTTP error: )?(Error POSTing to endpoint: )?/, ""));
    if (err.status === 401 || err.status === 403) {
      text = `upstream ${name} refused the gateway's credentials (HTTP ${err.status}): ${detail}; check ${credentials}`;
    } else text = `upstream ${name} answered HTTP ${err.status}: ${detail}`;
  } else if (e?.name === "ZodError") {
    text = `upstream ${name} answered with a message that is not valid JSON-RPC`;
  } else if (err instanceof SyntaxError) {
    text = `upstream ${name} answered with invalid JSON (${quoted(message)})`;
  } else if (err instanceof TypeError || NETWORK_ERROR.test(message)) {
    text = `the connection to upstream ${name} failed: ${quoted(message)}`;
  }
  return text === undefined ? err : new Error(text, { cause: err });
}
