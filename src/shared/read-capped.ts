/**
 * @module shared/read-capped
 * Reads a body as text, at most `max` bytes: reading stops (and the stream is cancelled) as soon as the body is
 * larger, so a peer cannot make the host buffer more than it allows. Used for client requests (src/session/) and
 * model answers (src/planning/) and OAuth metadata a server publishes (src/user/server-check.ts).
 */

/**
 * How much of a client's request body that is over its limit is still read (and thrown away) before the 413 is sent.
 * A server that answers before the client has sent its body makes the client's socket reset while it writes, and
 * the client then reports "socket hang up" instead of the 413 that names the limit (seen locally under workerd).
 * A larger body is cut off at once.
 */
export const DISCARD_BOUND_BYTES = 8 * 1024 * 1024;

/** Reads and throws away the rest of `reader`'s stream, up to `bound` bytes in all (`read` already read). */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>, read: number, bound: number) {
  try {
    for (let size = read; size <= bound; ) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
    }
  } catch {
    return;
  }
  await reader.cancel().catch(() => {});
}

/**
 * A request body refused for its declared size, read to its end and thrown away when that is at most
 * {@link DISCARD_BOUND_BYTES}, so the client reads the refusal (see there).
 */
export async function discardRequestBody(request: Request): Promise<void> {
  if (!request.body) return;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  const reader = request.body.getReader();
  if (declared > DISCARD_BOUND_BYTES) await reader.cancel().catch(() => {});
  else await discardRest(reader, 0, DISCARD_BOUND_BYTES);
}

/**
 * The body's text, or undefined once it exceeds `max` bytes. With `discardUpTo` (a client's request), the rest of an
 * oversized body is read and thrown away up to that many bytes in all before this returns (see
 * {@link DISCARD_BOUND_BYTES}); without it, reading stops at once.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  discardUpTo?: number,
): Promise<string | undefined> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      if (discardUpTo === undefined) await reader.cancel().catch(() => {});
      else await discardRest(reader, size, discardUpTo);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
