/**
 * @module mcp/context-tools
 * `get_context` and `reset_context`: the notebook view of the top-level bindings that live on between the
 * executions of this session (src/scope/), like a notebook's variable inspector and its "restart kernel".
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { GatewayContext } from "./gateway-context";
import { structuredResult } from "./tool-result";

export function registerContextTools(server: McpServer, ctx: GatewayContext): void {
  const scope = ctx.scope;
  if (!scope) return;
  server.registerTool("get_context", { description: "Kept top-level variables: type, size, preview." }, async () => {
    const bindings = scope.list();
    const text = bindings.length
      ? bindings.map((b) => `${b.name}: ${b.type} (${b.bytes} bytes) ${b.preview}`).join("\n")
      : "Nothing is carried: top-level declarations of the next execution will be.";
    return structuredResult({ bindings }, text);
  });

  server.registerTool("reset_context", { description: "Forget kept variables." }, async () => {
    const cleared = scope.reset();
    return structuredResult({ cleared }, `Forgot ${cleared} carried binding(s).`);
  });
}
