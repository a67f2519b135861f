/**
 * @module mcp/tool-result
 * Every gateway tool answers with `structuredContent` plus a readable text rendering of the same data, and
 * `isError: true` on failure, so clients that read either form see the same thing.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { prettyJson } from "../shared/pretty-json";

export function structuredResult(data: Record<string, unknown>, text?: string, isError = false): CallToolResult {
  return {
    content: [{ type: "text", text: text ?? prettyJson(data) }],
    structuredContent: data,
    ...(isError ? { isError: true } : {}),
  };
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
