/**
 * @module registry/catalog-build
 * Pure steps from an upstream's `tools/list` to the gateway's catalog tools: a stable hash per definition (for
 * change detection), the configured allow/deny and `defer_loading` selection, sanitized export names and cleaned
 * descriptions, and the comparison with the hash first seen.
 */
import { cleanText } from "../codegen/clean";
import { assignIdentifiers } from "../codegen/names";
import type { CatalogTool, UpstreamTool } from "./registry-types";
import { requiresTasks } from "./task-support";
import type { ToolSelection } from "./tool-filter";

/**
 * Longest tool description kept (characters, after cleaning). Descriptions are untrusted upstream text that
 * reaches the model and the search index: 100 KB of "documentation" must not flood either.
 */
export const MAX_TOOL_DESCRIPTION_CHARS = 4_000;

/**
 * Longest tool name kept (characters). MCP 2025-11-25 says tool names SHOULD be 1 to 128 characters; twice that is
 * tolerated. A longer name is left out of the catalog (and named by list_servers, see {@link omittedTools}): it
 * would be repeated in every listing, search and error, and get_tool_details refuses such names unread.
 */
export const MAX_TOOL_NAME_CHARS = 256;
/** How many names of tools left out list_servers shows, and how much of each. */
const OMITTED_NAMES_SHOWN = 3;
const OMITTED_NAME_SHOWN_CHARS = 60;

/** Tools the upstream lists that the catalog leaves out, so that none is lost without a word. */
export interface OmittedTools {
  count: number;
  reason: string;
  /** The first few names, each cut short, with its length. */
  names: string[];
}

/** A listed tool with the hash of its definition. */
export interface HashedTool {
  tool: UpstreamTool;
  hash: string;
}

/** JSON with object keys sorted, so an upstream that reorders keys does not look like it changed a tool. */
export function canonicalJson(value: unknown): string {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) throw new TypeError("cyclic value");
    seen.add(v);
    const out = Array.isArray(v)
      ? v.map(walk)
      : Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, walk((v as Record<string, unknown>)[k])]),
        );
    seen.delete(v);
    return out;
  };
  return JSON.stringify(walk(value)) ?? "null";
}

/**
 * Hash of what the model and the generated bindings see of a tool: name, title, description, input and output
 * schemas, annotations. 24 hex digits of SHA-256.
 */
export async function hashTool(tool: UpstreamTool): Promise<string> {
  let text: string;
  try {
    text = canonicalJson([
      tool.name,
      tool.title ?? null,
      tool.description ?? null,
      tool.inputSchema ?? null,
      tool.outputSchema ?? null,
      tool.annotations ?? null,
    ]);
  } catch {
    text = `unserializable:${String(tool.name)}`;
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Keeps the tools with a usable name (first of any duplicate) and hashes each definition. */
export async function hashTools(upstream: readonly UpstreamTool[]): Promise<HashedTool[]> {
  const seen = new Set<string>();
  const valid = upstream.filter((t) => {
    if (typeof t?.name !== "string" || t.name.length === 0 || seen.has(t.name)) return false;
    seen.add(t.name);
    return true;
  });
  return Promise.all(valid.map(async (tool) => ({ tool, hash: await hashTool(tool) })));
}

function examplesOf(tool: UpstreamTool): unknown[] | undefined {
  const raw = tool as unknown as Record<string, unknown>;
  const schema = tool.inputSchema as Record<string, unknown> | boolean;
  const candidates = [raw.input_examples, raw.inputExamples, typeof schema === "object" ? schema.examples : undefined];
  for (const c of candidates) if (Array.isArray(c) && c.length > 0) return c.slice(0, 5);
  return undefined;
}

/**
 * The catalog tools of one server: only the exposed ones, with sanitized ids, the deferred flag, and `changed`
 * when the definition's hash differs from the one first seen.
 */
export function toCatalogTools(
  server: { name: string; serverId: string },
  listed: readonly HashedTool[],
  selection: ToolSelection,
  firstSeen: ReadonlyMap<string, string>,
): CatalogTool[] {
  const exposed = listed.filter((t) => t.tool.name.length <= MAX_TOOL_NAME_CHARS && selection.exposed(t.tool.name));
  const ids = assignIdentifiers(exposed.map((t) => t.tool.name));
  return exposed.map(({ tool: t, hash }) => {
    const first = firstSeen.get(t.name);
    const examples = examplesOf(t);
    return {
      server: server.name,
      serverId: server.serverId,
      name: t.name,
      id: ids.get(t.name)!,
      description: cleanText(t.description ?? t.title ?? "", MAX_TOOL_DESCRIPTION_CHARS),
      inputSchema: t.inputSchema ?? { type: "object" },
      ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
      ...(t.annotations ? { annotations: t.annotations } : {}),
      ...(examples ? { examples } : {}),
      hash,
      ...(first ? { firstSeenHash: first } : {}),
      ...(first && first !== hash ? { changed: true } : {}),
      ...(selection.deferred(t.name) ? { deferred: true } : {}),
      ...(requiresTasks(t) ? { needsTasks: true as const } : {}),
    };
  });
}

/**
 * The tools {@link toCatalogTools} leaves out for their name's length (those the configuration would expose: a tool
 * the configuration denies is not lost), or undefined when there are none.
 */
export function omittedTools(listed: readonly HashedTool[], selection: ToolSelection): OmittedTools | undefined {
  const long = listed.filter((t) => t.tool.name.length > MAX_TOOL_NAME_CHARS && selection.exposed(t.tool.name));
  if (long.length === 0) return undefined;
  return {
    count: long.length,
    reason: `names over ${MAX_TOOL_NAME_CHARS} characters (MCP asks for 1 to 128); ask the server's maintainer to shorten them`,
    names: long.slice(0, OMITTED_NAMES_SHOWN).map(({ tool: { name } }) => {
      const shown = cleanText(name.slice(0, OMITTED_NAME_SHOWN_CHARS));
      return `${shown}… (${name.length.toLocaleString("en-US")} characters)`;
    }),
  };
}
