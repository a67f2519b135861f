/**
 * The conformance suite's client harness (`conformance client --command "tsx scripts/conformance-client.ts"`):
 * drives the gateway's own upstream client (src/registry/upstream.ts, the code the registry uses) against the
 * suite's test server. The suite passes the server URL as the last argument and the scenario's tool calls in
 * MCP_CONFORMANCE_CONTEXT; the client negotiates the revision itself (2026-07-28, else 2025-11-25).
 */
import { loadConfig } from "../src/config";
import { UpstreamConnection } from "../src/registry/upstream";

const url = new URL(process.argv.at(-1)!);
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}") as {
  toolCalls?: Array<{ name: string; arguments?: Record<string, unknown> }>;
};
const loaded = loadConfig({ servers: [{ name: "conformance", url: url.href }] });
if (!loaded.ok) throw new Error(loaded.error);
const upstream = new UpstreamConnection(loaded.config.servers[0]!, { env: {}, fetch: globalThis.fetch, url });
try {
  const tools = await upstream.listTools();
  const calls = context.toolCalls ?? (tools[0] ? [{ name: tools[0].name, arguments: {} }] : []);
  for (const call of calls) {
    await upstream.callTool(call.name, call.arguments ?? {}, 10_000).catch((err: Error) => {
      console.error(`conformance-client: ${call.name}: ${err.message}`);
    });
  }
  console.error(`conformance-client: negotiated ${upstream.protocol}`);
} finally {
  await upstream.close();
}
