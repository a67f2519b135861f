/**
 * @module registry/guarded-fetch
 * The `fetch` every external upstream connection uses. Each request URL, and each redirect hop, passes the SSRF
 * guard ({@link checkUrl}) before anything connects; redirects are followed by hand (`redirect: "manual"`), at
 * most {@link MAX_REDIRECTS} hops, because an automatic redirect would connect to the next host unchecked.
 * Configured headers (credentials) go to the configured origin only: a hop to another origin carries protocol
 * headers alone, so an upstream cannot redirect the gateway's secrets elsewhere.
 */
import { checkUrl, type NetworkPolicy } from "./ssrf";
import type { FetchLike } from "./upstream";

/** Most redirects followed for one request. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Headers still sent after a redirect to another origin: what the MCP transport needs and nothing of the gateway's
 * own. The session id stays: it was minted by the server at the end of the redirect, which needs it back.
 */
const CROSS_ORIGIN_HEADERS = ["accept", "content-type", "mcp-protocol-version", "mcp-session-id", "last-event-id"];

/** The URL (or a redirect hop) is refused by the network policy; nothing was sent to it. */
export class UrlRefusedError extends Error {
  override readonly name = "UrlRefusedError";
}

/** Same origin, or the http → https upgrade of the same host on default ports (as the MCP SDK allows). */
function sameTarget(from: URL, to: URL): boolean {
  if (from.origin === to.origin) return true;
  return (
    from.protocol === "http:" && to.protocol === "https:" && from.hostname === to.hostname && !from.port && !to.port
  );
}

function protocolHeadersOnly(headers: Headers): Headers {
  const kept = new Headers();
  for (const name of CROSS_ORIGIN_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept.set(name, value);
  }
  return kept;
}

/** Wraps `base` so that no request, and no redirect hop, reaches an address `policy` refuses. */
export function guardedFetch(base: FetchLike, policy: NetworkPolicy): FetchLike {
  return async (input, init = {}) => {
    const request = input instanceof Request ? new Request(input, init) : undefined;
    let method = (request?.method ?? init.method ?? "GET").toUpperCase();
    let headers = new Headers(request?.headers ?? init.headers);
    let body: BodyInit | null | undefined = request ? (request.body ? await request.arrayBuffer() : null) : init.body;
    const redirect = init.redirect;
    // Method, headers and body are re-decided at every hop; everything else (cf options, cache...) carries over.
    const rest: RequestInit = { ...init };
    for (const key of ["method", "headers", "body", "redirect", "signal"] as const) delete rest[key];
    const signal = request?.signal ?? init.signal;
    const start = checkUrl(request ? request.url : String(input), policy);
    if (!start.ok) throw new UrlRefusedError(start.reason);
    let current = start.url;
    let crossed = false;

    for (let hop = 0; ; hop++) {
      const response = await base(current.href, {
        ...rest,
        method,
        headers,
        ...(body === undefined || body === null ? {} : { body }),
        ...(signal ? { signal } : {}),
        redirect: "manual",
      });
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
      if (location === null) return response;
      await response.body?.cancel().catch(() => {});
      const from = `${current.origin}${current.pathname}`;
      if (redirect === "error") throw new UrlRefusedError(`${from} answered with a redirect`);
      if (hop >= MAX_REDIRECTS) {
        throw new UrlRefusedError(
          `${start.url.origin}${start.url.pathname} redirected more than ${MAX_REDIRECTS} times`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new UrlRefusedError(`${from} redirected to an invalid URL`);
      }
      const verdict = checkUrl(next, policy);
      if (!verdict.ok) {
        throw new UrlRefusedError(
          verdict.reason.replace(/^refused to connect to/, `refused to follow a redirect from ${from} to`),
        );
      }
      // Method rewriting as the Fetch standard does it: 303 (and 301/302 after POST) continue as a GET.
      if ((response.status === 303 && method !== "HEAD") || (response.status <= 302 && method === "POST")) {
        method = "GET";
        body = undefined;
        headers.delete("content-type");
        headers.delete("content-length");
      }
      if (!crossed && !sameTarget(start.url, verdict.url)) {
        crossed = true;
        headers = protocolHeadersOnly(headers);
      }
      current = verdict.url;
    }
  };
}
