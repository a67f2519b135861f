/**
 * @module shared/capped-fetch
 * A `fetch` whose response bodies are bounded: a peer that answers with a huge document (authorization server
 * metadata, a registration or token answer read whole by the MCP SDK) cannot make the host buffer more than
 * `max` bytes. A declared `Content-Length` over the bound is refused before anything is read; an undeclared body
 * fails its read as soon as it passes the bound, and the connection is cancelled. Bodies nobody reads (a probe that
 * only wants the status and headers, an event stream) are not read ahead.
 *
 * {@link messageCappedFetch} bounds each message of an upstream MCP server instead of the whole body: one JSON
 * body, or one event of an event stream (a stream of server notifications may rightly live for hours).
 */
import type { FetchLike } from "../registry/upstream";

/** The body passed the bound; nothing more of it was read. */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
}

/** A JSON-RPC request the upstream was to answer. */
export interface PendingRequest {
  id: string | number;
  method: string;
}

/**
 * An event stream that carries answers to requests sent elsewhere (the GET stream of the older HTTP+SSE transport:
 * its requests are POSTed and answered 202) passed the bound and was cut. Only the transport knows which requests
 * were still waiting on it: {@link answers} gives, for those, the errors that stand in for their answers.
 */
export class StreamRefusedError extends ResponseTooLargeError {
  readonly answers: (requests: readonly PendingRequest[]) => unknown[];

  constructor(message: string, answers: (requests: readonly PendingRequest[]) => unknown[]) {
    super(message);
    this.answers = answers;
  }
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function tooLarge(url: string, max: number): ResponseTooLargeError {
  let where = url;
  if (URL.canParse(url)) {
    const u = new URL(url);
    where = `${u.origin}${u.pathname}`;
  }
  return new ResponseTooLargeError(`${where} answered with more than ${Math.round(max / 1024)} KB; refused`);
}

/** `body`, failing its reader with `error` once more than `max` bytes have come through. */
function bounded(body: ReadableStream<Uint8Array>, max: number, error: () => Error): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let size = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        size += value.byteLength;
        if (size > max) {
          await reader.cancel().catch(() => {});
          return controller.error(error());
        }
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Read on demand only: nothing is pulled from the peer before someone reads.
    { highWaterMark: 0 },
  );
}

/** Wraps `base` so that no response body it returns can be read past `max` bytes. */
export function cappedFetch(base: FetchLike, max: number): FetchLike {
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
    const url = response.url || (input instanceof Request ? input.url : String(input));
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > max) {
      await response.body.cancel().catch(() => {});
      throw tooLarge(url, max);
    }
    const { status, statusText, headers } = response;
    return new Response(
      bounded(response.body, max, () => tooLarge(url, max)),
      { status, statusText, headers },
    );
  };
}

/** Largest single message an upstream MCP server may send (a JSON body, or one event of an event stream). */
export const UPSTREAM_MESSAGE_MAX_BYTES = 16 * 1024 * 1024;

/** `n` bytes in words: "16 MB", "1 KB". */
function sizeText(n: number): string {
  const mb = n / (1024 * 1024);
  if (mb >= 1) return `${Number(mb.toFixed(1))} MB`;
  return `${Number((n / 1024).toFixed(1))} KB`;
}

/** What the caller of an over-long request should do, by JSON-RPC method. */
function advice(method: string | undefined): string {
  if (method === "tools/call") return "; ask the tool for less (filters, pagination)";
  if (method === "tools/list") return "; the server must list its tools in smaller pages (nextCursor)";
  return "";
}

/** The JSON-RPC requests (method and id) in a request body the MCP SDK sent: a JSON string, one message or a batch. */
function requestsIn(body: unknown): PendingRequest[] {
  if (typeof body !== "string") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const out: PendingRequest[] = [];
  for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
    const { method, id } = (m ?? {}) as { method?: unknown; id?: unknown };
    if (typeof method === "string" && (typeof id === "string" || typeof id === "number")) out.push({ method, id });
  }
  return out;
}

const LF = 10;
const CR = 13;

/**
 * Measures the server-sent event being received, across chunks: the bytes since the last event boundary (a blank
 * line: "\n\n", "\r\n\r\n" or "\r\r", or any mix, as the SSE grammar allows; a boundary may be split across chunks).
 */
export class EventMeter {
  readonly #max: number;
  /** Bytes of the current event received before the chunk being fed. */
  #size = 0;
  /** The last byte ended a line (the next terminator makes a blank line). */
  #lineStart = true;
  /** The last byte was CR: an LF right after it belongs to the same line terminator. */
  #afterCR = false;
  /** That CR ended an event: the LF completing it belongs to that event too. */
  #crEnded = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** Whether the bytes fed so far stop at the start of a line. */
  get atLineStart(): boolean {
    return this.#lineStart;
  }

  /** Bytes of the event in progress. */
  get pending(): number {
    return this.#size;
  }

  /**
   * Feeds the next chunk. Returns -1 when every event stays within the bound, else the offset in `chunk` where the
   * event over it starts (0 when it started in an earlier chunk); the meter is then spent.
   */
  feed(chunk: Uint8Array): number {
    const n = chunk.length;
    if (n === 0) return -1;
    // The bulk of a large event is one long data line: no terminator to look for.
    if (chunk.indexOf(LF) === -1 && chunk.indexOf(CR) === -1) {
      this.#size += n;
      this.#lineStart = false;
      this.#afterCR = false;
      this.#crEnded = false;
      return this.#size > this.#max ? 0 : -1;
    }
    let carried = this.#size;
    let start = 0;
    for (let i = 0; i < n; i++) {
      const b = chunk[i];
      if (b !== LF && b !== CR) {
        this.#lineStart = false;
        this.#afterCR = false;
        this.#crEnded = false;
        continue;
      }
      if (b === LF && this.#afterCR) {
        this.#afterCR = false;
        if (this.#crEnded) start = i + 1;
        this.#crEnded = false;
        continue;
      }
      this.#afterCR = b === CR;
      this.#crEnded = false;
      if (this.#lineStart) {
        // A blank line: the event ends with this byte.
        if (carried + (i + 1 - start) > this.#max) return start;
        carried = 0;
        start = i + 1;
        this.#crEnded = b === CR;
      }
      this.#lineStart = true;
    }
    this.#size = carried + (n - start);
    return this.#size > this.#max ? start : -1;
  }
}

const encoder = new TextEncoder();

/**
 * `body`, an event stream, passed through until one event passes `max` bytes. Then the upstream body is cancelled
 * and `refuse` decides the end: with `answers` (one JSON-RPC message per request the stream was answering), the
 * event cut short is discarded (typed so that no MCP client reads it), the answers follow, and the stream ends;
 * without, the stream fails with `error`.
 */
function boundedEvents(
  body: ReadableStream<Uint8Array>,
  max: number,
  refuse: () => { error: Error; answers: unknown[] },
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const meter = new EventMeter(max);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        const wasAtLineStart = meter.atLineStart;
        const passed = meter.pending;
        const over = meter.feed(value);
        if (over === -1) return controller.enqueue(value);
        await reader.cancel().catch(() => {});
        const { error, answers } = refuse();
        if (answers.length === 0) return controller.error(error);
        // The complete events before the one over the bound still count (progress notifications, say).
        if (over > 0) controller.enqueue(value.subarray(0, over));
        let tail = "";
        // Part of the refused event already went through: end it as an event of a type MCP clients ignore.
        if (over === 0 && passed > 0) tail += `${wasAtLineStart ? "" : "\n"}event: refused-by-gateway\n\n`;
        for (const answer of answers) tail += `event: message\ndata: ${JSON.stringify(answer)}\n\n`;
        controller.enqueue(encoder.encode(tail));
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** A fetch bounded per upstream MCP message, and how to tell its refusals among the errors of a request. */
export interface MessageCappedFetch {
  fetch: FetchLike;
  /**
   * `err` as thrown by an MCP client request: a refusal this fetch answered in place of the upstream (a JSON-RPC
   * error carrying this fetch's own mark) becomes the {@link ResponseTooLargeError} it stands for; anything else
   * is returned unchanged.
   */
  refusal(err: unknown): unknown;
}

/**
 * Wraps `base` (the fetch of an MCP client transport to upstream `name`) so that no single message the upstream
 * sends can pass `max` bytes:
 * - a JSON (or any non-event-stream) body is one message: a declared Content-Length over the bound is refused
 *   before reading; an undeclared one fails its read once past the bound;
 * - a `text/event-stream` body may live long (server notifications, progress then the result), so each event is
 *   bounded, not the stream. Over the bound, a stream answering a POST ends with a JSON-RPC error for each of its
 *   requests (so the call fails at once with the reason, rather than waiting for its timeout); any other stream
 *   fails with a {@link StreamRefusedError}, from which the transport answers the requests it knows are waiting
 *   (src/registry/legacy-sse.ts).
 * Either way the upstream's body is cancelled: nothing past the bound is read or kept.
 */
export function messageCappedFetch(base: FetchLike, max: number, name: string): MessageCappedFetch {
  const mark = crypto.randomUUID();
  const message = (method: string | undefined) =>
    `upstream ${name} answered with a message over ${sizeText(max)}; refused (the gateway's limit per upstream message)${advice(method)}`;
  /** JSON-RPC errors in place of the answers to `requests`, marked so that {@link MessageCappedFetch.refusal} knows them. */
  const answers = (requests: readonly PendingRequest[]) => {
    // One request waiting: the huge message was its answer; several: any of theirs, so no advice for one method.
    const text = message(requests.length === 1 ? requests[0]!.method : undefined);
    const data = { refused_by_gateway: mark, limit_bytes: max };
    return requests.map(({ id }) => ({ jsonrpc: "2.0", id, error: { code: -32603, message: text, data } }));
  };
  const fetch: FetchLike = async (input, init) => {
    const response = await base(input, init);
    if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
    const sent = init?.body;
    const { status, statusText, headers } = response;
    const type = (headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type === "text/event-stream") {
      const refuse = () => ({
        // Only a stream that answers no request of its own fails with it.
        error: new StreamRefusedError(message(undefined), answers),
        answers: answers(requestsIn(sent)),
      });
      return new Response(boundedEvents(response.body, max, refuse), { status, statusText, headers });
    }
    const refused = () => {
      const requests = requestsIn(sent);
      return new ResponseTooLargeError(message(requests.length === 1 ? requests[0]!.method : undefined));
    };
    const declared = Number(headers.get("content-length") ?? Number.NaN);
    if (declared > max) {
      await response.body.cancel().catch(() => {});
      throw refused();
    }
    return new Response(bounded(response.body, max, refused), { status, statusText, headers });
  };
  const refusal = (err: unknown): unknown => {
    const data = (err as { data?: { refused_by_gateway?: unknown } } | null)?.data;
    if (!(err instanceof Error) || data?.refused_by_gateway !== mark) return err;
    return new ResponseTooLargeError(err.message, { cause: err });
  };
  return { fetch, refusal };
}
