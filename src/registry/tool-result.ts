/**
 * @module registry/tool-result
 * What a tool call returns to the agent's code: the upstream's `structuredContent` when present, else its text
 * parsed as JSON when it is JSON, else the text; non-text content (images, resources) comes back as the content
 * array. An upstream may mark a text result as raw with `_meta["codemode-gateway/raw-text"]` so that text which
 * merely looks like JSON (a JSON file read from disk) stays a string.
 */
import type { CallToolResult } from "@modelcontextprotocol/client";

export const RAW_TEXT_META = "codemode-gateway/raw-text";

export type ToolOutcome = { ok: true; value: unknown } | { ok: false; message: string };

function texts(result: CallToolResult): string[] | undefined {
  const content = Array.isArray(result.content) ? result.content : [];
  const out: string[] = [];
  for (const item of content) {
    if (item?.type !== "text" || typeof item.text !== "string") return undefined;
    out.push(item.text);
  }
  return out;
}

/** Maps an upstream `tools/call` result to what the sandbox receives. */
export function toToolOutcome(result: CallToolResult): ToolOutcome {
  if (result.isError) {
    const text = texts(result)?.join("\n").trim();
    return { ok: false, message: text || "the tool reported an error without a message" };
  }
  if (result.structuredContent !== undefined && result.structuredContent !== null) {
    return { ok: true, value: result.structuredContent };
  }
  const parts = texts(result);
  if (!parts) return { ok: true, value: result.content };
  const text = parts.join("\n");
  if (result._meta?.[RAW_TEXT_META] === true) return { ok: true, value: text };
  return { ok: true, value: parseJsonText(text) };
}

function parseJsonText(text: string): unknown {
  const t = text.trim();
  if (t === "") return text;
  const c = t[0]!;
  // Only attempt a parse where JSON is plausible: cheap, and keeps plain prose as text.
  if (
    c === "{" ||
    c === "[" ||
    c === '"' ||
    c === "-" ||
    (c >= "0" && c <= "9") ||
    t === "true" ||
    t === "false" ||
    t === "null"
  ) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}
