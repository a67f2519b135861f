/**
 * @module registry/legacy-sse
 * The older HTTP+SSE transport to an upstream, made to fail fast when its event stream is refused. Its requests are
 * POSTed and accepted (202) with no body: every answer comes on one long-lived GET event stream. When a message on
 * that stream passes the gateway's bound per upstream message (src/shared/capped-fetch.ts), the stream is cut, and
 * with it every answer still to come; the SDK's transport would leave each waiting request to its timeout, and its
 * EventSource would reconnect to a fresh upstream session that nobody initialized. Here instead every request still
 * waiting fails at once with the refusal naming the bound, and the transport closes, so the connection's next use
 * connects and initializes again.
 */
import {
  type JSONRPCMessage,
  SSEClientTransport,
  type SSEClientTransportOptions,
  type Transport,
} from "@modelcontextprotocol/client";
import { type PendingRequest, StreamRefusedError } from "../shared/capped-fetch";
import type { FetchLike } from "./upstream";

/** `response` with its body passed through as is, telling `onError` what fails a read of it. */
function watchBody(response: Response, onError: (err: unknown) => void): Response {
  if (!response.body) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          onError(err);
          throw err;
        }
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
}

type RequestId = PendingRequest["id"];

/** An HTTP+SSE client transport that knows which of its requests still wait for an answer. */
export class LegacySseTransport implements Transport {
  readonly #inner: SSEClientTransport;
  /** Requests sent and not answered yet (at most the requests in flight): their method, by id. */
  readonly #pending = new Map<RequestId, string>();
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport["onmessage"];

  constructor(url: URL, options: SSEClientTransportOptions & { fetch: FetchLike }) {
    const fetch = options.fetch;
    // The event stream only: POSTs are answered 202 with no body.
    const stream: FetchLike = async (input, init) => watchBody(await fetch(input, init), (err) => this.#refused(err));
    this.#inner = new SSEClientTransport(url, { ...options, eventSourceInit: { fetch: stream } });
    this.#inner.onclose = () => this.onclose?.();
    this.#inner.onerror = (err) => this.onerror?.(err);
    this.#inner.onmessage = (message) => {
      if (!("method" in message) && "id" in message && message.id !== undefined) this.#pending.delete(message.id);
      this.onmessage?.(message);
    };
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion(version);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const request = "method" in message && "id" in message;
    if (request) this.#pending.set(message.id, message.method);
    // A request the client gave up on (its timeout) is answered by nobody.
    if ("method" in message && message.method === "notifications/cancelled") {
      const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof id === "string" || typeof id === "number") this.#pending.delete(id);
    }
    try {
      await this.#inner.send(message);
    } catch (err) {
      if (request) this.#pending.delete(message.id);
      throw err;
    }
  }

  /** The event stream failed: when the cause is a refused message, answer what waits on it, then close. */
  #refused(err: unknown): void {
    if (!(err instanceof StreamRefusedError)) return;
    const requests = [...this.#pending].map(([id, method]) => ({ id, method }));
    this.#pending.clear();
    for (const answer of err.answers(requests)) this.onmessage?.(answer as JSONRPCMessage);
    // Closed before the EventSource sees the error, so it does not reconnect to a session nobody initialized.
    void this.#inner.close();
  }
}
