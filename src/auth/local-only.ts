/**
 * @module auth/local-only
 * With authentication off (`auth.mode = "none"`) every caller acts as the one user "local", so the gateway must
 * only answer callers on this machine: the request's `Host` must be a loopback name AND its peer address must be
 * loopback. The Host check alone fails once the dev server listens on a LAN interface (`--ip 0.0.0.0`), where any
 * client can send `Host: localhost`; the peer check alone fails behind a tunnel (`wrangler dev --tunnel`), whose
 * connector reaches the dev server from loopback. Deployed, the Host is the Worker's public name, so an
 * unauthenticated deployment refuses every MCP request until `allow_unauthenticated = true` says it is meant.
 *
 * The peer address is `CF-Connecting-IP`: on Cloudflare the edge sets it from the TCP connection; under
 * `wrangler dev` Miniflare's entry worker sets it from the socket's peer, but keeps one the client sent itself.
 * Locally it is therefore only as good as the interface the dev server listens on: 127.0.0.1 by default, and
 * `npm run dev` refuses any other while authentication is off (scripts/auth-exposure.ts).
 */
import { classifyHost } from "../registry/ssrf";
import { isLoopbackHost } from "./origin";

/** Whether an IP address (as in `CF-Connecting-IP`) is a loopback address (127.0.0.0/8, ::1, ::ffff:127.x). */
export function isLoopbackAddress(address: string): boolean {
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(address)) return false;
  return classifyHost(address.includes(":") ? `[${address}]` : address).kind === "loopback";
}

/** Why a request is not from this machine, or undefined when both its Host and its peer address are loopback. */
export function notLocalReason(request: Request): string | undefined {
  const host = new URL(request.url).hostname;
  if (!isLoopbackHost(host)) return `the request is for host ${host}`;
  const peer = request.headers.get("cf-connecting-ip");
  if (peer === null) return "the request carries no peer address (CF-Connecting-IP)";
  if (!isLoopbackAddress(peer)) return `the request comes from ${peer}`;
  return undefined;
}

/** The 403 for a non-local request while authentication is off, saying how to serve it on purpose. */
export function localOnlyResponse(reason: string): Response {
  const message =
    `Forbidden: authentication is off (auth.mode = "none"), so the gateway serves only clients on this machine ` +
    `(Host localhost, 127.0.0.1 or [::1], from a loopback address), and ${reason}. Turn authentication on ` +
    `(auth.mode = "api_keys" or "oauth", see README "Deploy"), or serve anyone who can reach it on purpose with ` +
    `auth = { mode = "none", allow_unauthenticated = true } in GATEWAY_CONFIG.`;
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32001, message }, id: null },
    { status: 403, headers: { "cache-control": "no-store" } },
  );
}
