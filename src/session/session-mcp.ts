/**
 * @module session/session-mcp
 * The MCP endpoint of one 2025-11-25 session object: the gateway's server on the SDK's Streamable HTTP transport,
 * with the client's handshake kept in the session's meta (src/session/session-meta.ts). The transport keeps its
 * session state in memory: when the object is evicted and revived, the handshake's outcome is restored from that
 * meta, so clients never notice.
 */
import { type McpServer, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import type { SessionMeta } from "./session-meta";

/** A session's server and the transport it is connected to. */
export interface SessionMcp {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
}

/**
 * Connects `server` to a new transport for the session of `meta`. `initialized` receives what the client said in
 * its handshake; with `restore` (the object was revived) the handshake is taken as done, as `meta` recorded it.
 */
export async function openSessionMcp(
  server: McpServer,
  meta: SessionMeta,
  restore: boolean,
  initialized: (client: NonNullable<SessionMeta["client"]>) => void,
): Promise<SessionMcp> {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => meta.session,
  });
  server.server.oninitialized = () => {
    initialized({
      capabilities: server.server.getClientCapabilities(),
      info: server.server.getClientVersion(),
      protocolVersion: (server.server as unknown as { _negotiatedProtocolVersion?: string })._negotiatedProtocolVersion,
    });
  };
  if (restore) {
    // Revived after eviction: the SDK has no public restore, so set the fields its handshake would have set.
    // Pinned SDK version (package.json); covered by the "session survives a restart" test.
    Object.assign(transport, { sessionId: meta.session, _initialized: true });
    Object.assign(server.server, {
      _clientCapabilities: meta.client?.capabilities ?? {},
      _clientVersion: meta.client?.info,
      _negotiatedProtocolVersion: meta.client?.protocolVersion,
    });
  }
  await server.connect(transport);
  return { server, transport };
}
