/**
 * @module auth/origin
 * DNS-rebinding protection (MCP 2025-11-25, transports: "Servers MUST validate the Origin header"). After a
 * rebinding attack the browser sends `Host: evil.example` and `Origin: http://evil.example` to a gateway on
 * 127.0.0.1, so "Origin equals the request's own origin" proves nothing: the Host is the attacker's. An Origin
 * therefore passes only when it is listed in `allowed_origins`, or when it is the gateway's own origin AND that
 * origin is a loopback name (a page served by the local gateway itself). Requests without Origin are not from
 * a browser page and pass; they cannot be made by a rebinding page for anything that changes state (browsers
 * always send Origin on POST and DELETE, and GET needs a session id that only an initialize POST can mint).
 */

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** True for `localhost`, `*.localhost`, `127.0.0.1` and `[::1]` (what a local `wrangler dev` is reached by). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(h) || h.endsWith(".localhost");
}

/** Whether a browser request with this Origin may use the gateway. */
export function originAllowed(origin: string, requestUrl: string, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.includes(origin)) return true;
  const own = new URL(requestUrl);
  return origin === own.origin && isLoopbackHost(own.hostname);
}

/** The 403 a refused Origin gets, as a JSON-RPC error so MCP clients show the reason. */
export function forbiddenOrigin(origin: string): Response {
  return Response.json(
    {
      jsonrpc: "2.0",
      error: {
        code: -32000,
        message: `Forbidden: Origin ${origin} is not allowed (add it to allowed_origins in GATEWAY_CONFIG to allow a browser client there)`,
      },
      id: null,
    },
    { status: 403 },
  );
}
