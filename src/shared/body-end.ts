/**
 * @module shared/body-end
 * A response whose end is known: `done` runs once, when its body has been read to the end, failed, or been
 * cancelled (the client went away), or at once when it has no body. A streamed MCP reply (SSE) leaves the handler
 * long before the work it streams ends, so the handler's return says nothing about when the request ended.
 */
export function onBodyEnd(response: Response, done: () => void): Response {
  if (!response.body) {
    done();
    return response;
  }
  const reader = response.body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    done();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          end();
          controller.close();
        } else controller.enqueue(chunk.value);
      } catch (err) {
        end();
        controller.error(err);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  return new Response(body, response);
}
