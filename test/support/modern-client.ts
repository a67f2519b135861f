/**
 * An MCP 2026-07-28 client for the e2e tests: the SDK v2 `Client` pinned to that revision (no handshake, no
 * session; version and capabilities travel in each request). test/support/gateway.ts keeps the v1 client, which
 * speaks 2025-11-25 as existing clients do.
 */
import { type CallToolResult, Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

export const MODERN = "2026-07-28";

export interface ModernSession {
  client: Client;
  /** Calls a tool and returns the raw result. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls a tool and returns its structuredContent, failing if the call is an error. */
  data<T = any>(name: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export async function connectModern(
  url: URL,
  clientOptions: ConstructorParameters<typeof Client>[1] = {},
  headers: Record<string, string> = {},
): Promise<ModernSession> {
  const client = new Client(
    { name: "codemode-gateway-test", version: "0.0.0" },
    { versionNegotiation: { mode: { pin: MODERN } }, ...clientOptions },
  );
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    client,
    call,
    async data(name, args) {
      const r = await call(name, args);
      if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
      return r.structuredContent as any;
    },
    close: () => client.close(),
  };
}
