/**
 * @module registry/registry
 * All configured upstreams and their tool catalogs. Each server is listed independently: one that is down or
 * broken shows its error in `list_servers` and contributes no tools, and never breaks the others.
 */

import { cleanText } from "../codegen/clean";
import { assignIdentifiers } from "../codegen/names";
import type { ServerConfig } from "../config";
import type { CatalogTool, UpstreamTool } from "./registry-types";
import type { UpstreamConnection } from "./upstream";

const CATALOG_TTL_MS = 60_000;

export interface ServerEntry {
  name: string;
  /** Module name the sandbox imports: `servers/<serverId>`. */
  serverId: string;
  /** URL for display: origin and path only, so query-string credentials never show. */
  url: string;
  description: string;
  status: "ok" | "error";
  error?: string;
  tools: CatalogTool[];
  /** Tools by sanitized id. */
  byId: Map<string, CatalogTool>;
  refreshedAt?: number;
}

export interface Catalog {
  servers: ServerEntry[];
  byServerId: Map<string, ServerEntry>;
  byName: Map<string, ServerEntry>;
  tools: CatalogTool[];
}

/** Display form of an upstream URL: never its credentials or query string. */
export function displayUrl(url: string): string {
  if (!/^https?:\/\//.test(url)) return url;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

async function hashTool(tool: UpstreamTool): Promise<string> {
  let text: string;
  try {
    text = JSON.stringify([tool.name, tool.description, tool.inputSchema, tool.outputSchema, tool.annotations]);
  } catch {
    text = `unserializable:${tool.name}`;
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function examplesOf(tool: UpstreamTool): unknown[] | undefined {
  const raw = tool as unknown as Record<string, unknown>;
  const schema = tool.inputSchema as Record<string, unknown> | boolean;
  const candidates = [raw.input_examples, raw.inputExamples, typeof schema === "object" ? schema.examples : undefined];
  for (const c of candidates) if (Array.isArray(c) && c.length > 0) return c.slice(0, 5);
  return undefined;
}

async function toCatalogTools(server: string, serverId: string, upstream: UpstreamTool[]): Promise<CatalogTool[]> {
  const valid = upstream.filter((t) => typeof t?.name === "string" && t.name.length > 0);
  const ids = assignIdentifiers(valid.map((t) => t.name));
  return Promise.all(
    valid.map(async (t) => ({
      server,
      serverId,
      name: t.name,
      id: ids.get(t.name)!,
      description: cleanText(t.description ?? t.title ?? ""),
      inputSchema: t.inputSchema ?? { type: "object" },
      ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
      ...(t.annotations ? { annotations: t.annotations } : {}),
      ...(examplesOf(t) ? { examples: examplesOf(t) } : {}),
      hash: await hashTool(t),
    })),
  );
}

export class Registry {
  #servers: ServerConfig[];
  #connections = new Map<string, UpstreamConnection>();
  #connect: (config: ServerConfig) => UpstreamConnection;
  #serverIds: Map<string, string>;
  #entries = new Map<string, Promise<ServerEntry>>();

  constructor(servers: ServerConfig[], connect: (config: ServerConfig) => UpstreamConnection) {
    this.#servers = servers;
    this.#connect = connect;
    this.#serverIds = assignIdentifiers(servers.map((s) => s.name));
  }

  /** The (lazily opened, reused) connection to a configured server. */
  connection(name: string): UpstreamConnection | undefined {
    const config = this.#servers.find((s) => s.name === name);
    if (!config) return undefined;
    let conn = this.#connections.get(name);
    if (!conn) {
      conn = this.#connect(config);
      this.#connections.set(name, conn);
    }
    return conn;
  }

  /** Every server's catalog entry, from cache while fresh; `refresh` lists every upstream again. */
  async catalog(options: { refresh?: boolean } = {}): Promise<Catalog> {
    const now = Date.now();
    const servers = await Promise.all(
      this.#servers.map(async (config) => {
        const cached = this.#entries.get(config.name);
        if (cached && !options.refresh) {
          const entry = await cached;
          if (entry.status === "ok" && now - (entry.refreshedAt ?? 0) < CATALOG_TTL_MS) return entry;
        }
        const fresh = this.#list(config);
        this.#entries.set(config.name, fresh);
        return fresh;
      }),
    );
    const tools = servers.flatMap((s) => s.tools);
    return {
      servers,
      tools,
      byServerId: new Map(servers.map((s) => [s.serverId, s])),
      byName: new Map(servers.map((s) => [s.name, s])),
    };
  }

  async #list(config: ServerConfig): Promise<ServerEntry> {
    const serverId = this.#serverIds.get(config.name)!;
    const base = {
      name: config.name,
      serverId,
      url: displayUrl(config.url),
      description: cleanText(config.description ?? "", 500),
    };
    try {
      const upstream = await this.connection(config.name)!.listTools();
      const tools = await toCatalogTools(config.name, serverId, upstream);
      return { ...base, status: "ok", tools, byId: new Map(tools.map((t) => [t.id, t])), refreshedAt: Date.now() };
    } catch (err) {
      await this.#connections.get(config.name)?.close();
      this.#connections.delete(config.name);
      return { ...base, status: "error", error: cleanText((err as Error).message, 500), tools: [], byId: new Map() };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((c) => c.close()));
    this.#connections.clear();
  }
}
