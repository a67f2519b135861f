/**
 * @module servers/builtin-servers
 * Entry point for the MCP servers built into the gateway over HTTP, through `ctx.exports` (the user travels in
 * props, set by the host). The registry no longer uses it: it reaches built-ins in-process
 * (src/registry/builtin-connection.ts); it stays as the HTTP form of the same servers. Clients never reach this
 * directly: the Worker's `/servers/...` routes (src/servers/builtin-route.ts) go through the registry.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { handleWorkspaceRequest } from "./workspace/server";

/** Names of the built-in servers, usable in configuration as `builtin:<name>`. */
export const BUILTIN_SERVERS = ["workspace"] as const;

/** Serves `/servers/<name>/mcp` for a built-in server, or 404. */
export function serveBuiltin(request: Request, env: Env, user: string): Promise<Response> | Response {
  const { pathname } = new URL(request.url);
  if (pathname === "/servers/workspace/mcp") return handleWorkspaceRequest(request, env, user);
  return Response.json({ error: `no built-in server at ${pathname}` }, { status: 404 });
}

export class BuiltinServers extends WorkerEntrypoint<Env, { user: string }> {
  override fetch(request: Request): Promise<Response> | Response {
    return serveBuiltin(request, this.env, this.ctx.props.user);
  }
}
