/**
 * @module shared/capped-fetch
 * A `fetch` whose response bodies are bounded: a peer that answers with a huge document (authorization server
 * metadata, a registration or token answer read whole by the MCP SDK) cannot make the host buffer more than
 * `max` bytes. A declared `Content-Length` over the bound is refused before anything is read; an undeclared body
 * fails its read as soon as it passes the bound, and the connection is cancelled. Bodies nobody reads (a probe that
 * only wants the status and headers, an event stream) are not read ahead.
 */
import type { FetchLike } from "../registry/upstream";

/** The body passed the bound; nothing more of it was read. */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
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
  return new ReadableStream<Uint8Array>({
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
  });
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
