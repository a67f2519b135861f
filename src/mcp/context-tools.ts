/**
 * @module mcp/context-tools
 * `get_context` and `reset_context`: the notebook view of the top-level bindings that live on between the
 * executions of this session (src/scope/), like a notebook's variable inspector and its "restart kernel".
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { contextArg, type GatewayContext } from "./gateway-context";
import { structuredResult } from "./tool-result";

export function registerContextTools(server: McpServer, ctx: GatewayContext): void {
  const scope = ctx.scope;
  if (!scope) return;
  // 2026-07-28 clients name the context (the Worker routes by it); 2025-11-25 sessions are their own context.
  const input = { inputSchema: { ...contextArg(ctx) } };
  server.registerTool("get_context", { description: "Kept variables: type, size, preview.", ...input }, async () => {
    const bindings = scope.list();
    const text = bindings.length
      ? bindings.map((b) => `${b.name}: ${b.type} (${b.bytes} bytes) ${b.preview}`).join("\n")
      : "Nothing is carried: top-level declarations of the next execution will be.";
    return structuredResult({ bindings }, text);
  });

  server.registerTool("reset_context", { description: "Forget kept variables.", ...input }, async () => {
    const cleared = scope.reset();
    return structuredResult({ cleared }, `Forgot ${cleared} carried binding(s).`);
  });
}
