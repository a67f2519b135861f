/**
 * @module shared/read-capped
 * Reads a body as text, at most `max` bytes: reading stops (and the stream is cancelled) as soon as the body is
 * larger, so a peer cannot make the host buffer more than it allows. Used for client requests (src/session/) and
 * model answers (src/planning/) and OAuth metadata a server publishes (src/user/server-check.ts).
 */

/** The body's text, or undefined once it exceeds `max` bytes. */
export async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<string | undefined> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
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
