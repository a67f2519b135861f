/**
 * @module mcp/discovery-tools
 * `list_servers`, `list_tool_names`, `search_tools`, `get_tool_details`: how a model finds tools and reads their
 * TypeScript API. Descriptions stay short (the gateway's whole `tools/list` is kept under 1,000 tokens), and every
 * answer names the module to import from.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { cleanSchemaText } from "../codegen/clean-schema";
import { toolDeclaration, toolSignature } from "../codegen/declarations";
import { rerankHits } from "../planning/search-rerank";
import type { CircuitSnapshot } from "../registry/circuit-breaker";
import { FIRST_LISTING_PATIENCE_MS, firstLine } from "../registry/listing-patience";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import type { ServerEntry } from "../registry/server-entry";
import { stepUpPending } from "../registry/step-up-scope";
import { NEEDS_TASKS_NOTE } from "../registry/task-support";
import { didYouMean, SuggestBudget, suggest } from "../sandbox/prepare-suggest";
import type { ObservedTypes } from "../typecheck/observed-types";
import { findDottedTool, listToolNames, searchCatalog } from "./catalog-search";
import type { GatewayContext } from "./gateway-context";
import { errorResult, structuredResult } from "./tool-result";

// Bounds applied in the handlers rather than in the input schemas: each JSON Schema keyword is tokens in every
// client's context, while an out-of-range number is simply clamped.
const DEFAULT_NAMES = 200;
const MAX_NAMES = 5_000;
const DEFAULT_SEARCH_HITS = 10;
const MAX_KEYWORDS = 20;
const MAX_SEARCH_HITS = 50;
const MAX_SKILL_HITS = 3;
const MAX_DETAILS = 50;
/**
 * The longest "server.tool" get_tool_details looks up: a server name (64 characters, config's ServerNameSchema), a
 * dot, and a tool name with room to spare (the MCP spec keeps tool names to 128). Longer is refused unread.
 */
const MAX_TOOL_NAME_CHARS = 1_100;
/** How much of a name not found is echoed back (in the text and in `not_found`). */
const MAX_ECHOED_NAME_CHARS = 200;

/** A name as echoed back: its first 200 characters, marked as cut when it is longer. */
function echoed(name: string): string {
  return name.length > MAX_ECHOED_NAME_CHARS
    ? `${name.slice(0, MAX_ECHOED_NAME_CHARS)}… (cut: ${name.length.toLocaleString("en-US")} characters)`
    : name;
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(n) || min));
const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/** The circuit breaker's view of a network upstream (see registry/circuit-breaker), when it has one. */
function circuitOf(ctx: GatewayContext, name: string): CircuitSnapshot | undefined {
  const conn = ctx.registry.connection(name) as { circuit?: { snapshot(): CircuitSnapshot } } | undefined;
  return conn?.circuit?.snapshot();
}

/**
 * The catalog for a search or a list of names: it does not wait long for servers never listed yet (they are named
 * as still connecting), except the one server the caller asked about, which it waits for.
 */
async function patientCatalog(ctx: GatewayContext, only: string | undefined): Promise<Catalog> {
  const catalog = await ctx.registry.catalog({ patienceMs: FIRST_LISTING_PATIENCE_MS });
  const asked = knownServer(catalog, only);
  return asked?.connecting
    ? ctx.registry.catalog({ patienceMs: FIRST_LISTING_PATIENCE_MS, waitFor: [asked.name] })
    : catalog;
}

/**
 * A server whose listing failed: this session's last listing, or (while it is listed again) the isolate's last one.
 * Not "still connecting": asking again does not help until what failed is fixed.
 */
const hasFailed = (s: ServerEntry) => s.status === "error" && (!s.connecting || s.lastError !== undefined);

/** Servers whose first listing is still running (and did not fail before): their tools are not in the answer yet. */
function stillConnecting(catalog: Catalog): string[] {
  return catalog.servers.filter((s) => s.connecting && !hasFailed(s)).map((s) => s.name);
}

/** Servers whose listing failed, each with the first line of why. */
function failedServers(catalog: Catalog): Array<{ server: string; error: string }> {
  return catalog.servers
    .filter(hasFailed)
    .map((s) => ({ server: s.name, error: firstLine(s.lastError?.message ?? s.error ?? "unknown error") }));
}

/** The lines that say which servers the answer may be missing, and why. */
function missingLines(connecting: string[], failed: Array<{ server: string; error: string }>): string[] {
  const lines: string[] = [];
  if (connecting.length) {
    lines.push(`Still connecting (their tools are not included yet; ask again shortly): ${connecting.join(", ")}.`);
  }
  if (failed.length) {
    lines.push(
      `Failed (asking again will not help until it is fixed; list_servers shows more): ${failed.map((f) => `${f.server}: ${f.error}`).join("; ")}`,
    );
  }
  return lines;
}

/** A server's auth as list_servers shows it: the stored status, unless the latest listing says otherwise. */
function authSummary(s: ServerEntry) {
  const auth = s.auth;
  if (s.signIn?.kind === "required") return { ...auth, status: s.signIn.status };
  if (s.status === "error" && auth.status === "connected" && !s.connecting)
    return { ...auth, status: "error" as const };
  return auth;
}

function serverSummary(s: ServerEntry, circuit: CircuitSnapshot | undefined) {
  return {
    name: s.name,
    scope: s.scope,
    auth: authSummary(s),
    module: `servers/${s.serverId}`,
    url: s.url,
    status: s.connecting && !hasFailed(s) ? ("connecting" as const) : s.status,
    ...(s.connecting && s.error && !hasFailed(s) ? { connecting: s.error } : {}),
    // Failed before, and listed again in the background: said as failed, with why.
    ...(s.connecting && s.error && hasFailed(s) ? { failed: s.error } : {}),
    tool_count: s.tools.length,
    deferred_count: s.deferredCount,
    last_refresh: iso(s.refreshedAt),
    last_error: s.lastError ? { message: s.lastError.message, at: iso(s.lastError.at) } : null,
    changed_tools: s.changedTools,
    ...(s.transport ? { transport: s.transport } : {}),
    ...(s.protocol ? { protocol: s.protocol } : {}),
    ...(circuit && (circuit.state !== "closed" || circuit.consecutive_failures > 0) ? { circuit } : {}),
    ...(s.description ? { description: s.description } : {}),
  };
}

function renderServer(s: ReturnType<typeof serverSummary>): string {
  const lines = [
    `${s.name} (${s.scope}, import from "${s.module}"): ${s.status}, ${s.tool_count} tools` +
      (s.deferred_count ? ` (${s.deferred_count} deferred)` : "") +
      (s.last_refresh ? `, listed ${s.last_refresh}` : ""),
  ];
  if (s.auth.status !== "connected") {
    lines.push(`  auth (${s.auth.type}): ${s.auth.status}${s.auth.message ? `: ${s.auth.message}` : ""}`);
  }
  for (const up of s.auth.step_up ?? []) lines.push(`  ${stepUpPending(up.tools, up.scope, up.authorization_url)}`);
  if (s.failed) lines.push(`  ${s.failed}`);
  else if (s.status === "error" && s.last_error) lines.push(`  error: ${s.last_error.message}`);
  if (s.connecting) lines.push(`  ${s.connecting}`);
  if (s.circuit) {
    const c = s.circuit;
    // The breaker keeps the first 300 characters of the failure the listing already shows in full: not twice.
    const shown = [s.status === "error" ? s.last_error?.message : undefined, s.connecting, s.failed].filter(
      (m): m is string => !!m,
    );
    // "closed" is the breaker's word for "calls go through": said outright, as a newcomer reads it as "cut off".
    const failures = `${c.consecutive_failures} consecutive failure${c.consecutive_failures === 1 ? "" : "s"}`;
    lines.push(
      (c.state === "closed"
        ? `  circuit closed (calls go through); ${failures}, opens at ${c.failure_threshold}`
        : c.state === "open"
          ? `  circuit open (calls fail fast without reaching it) after ${failures}`
          : `  circuit half-open (the next call tries it again) after ${failures}`) +
        (c.retry_at ? `, next try ${c.retry_at}` : "") +
        (c.last_failure && !shown.some((line) => line.includes(c.last_failure!.message))
          ? `; last: ${c.last_failure.message}`
          : ""),
    );
  }
  if (s.changed_tools.length) {
    lines.push(`  changed since first seen (check get_tool_details before use): ${s.changed_tools.join(", ")}`);
  }
  return lines.join("\n");
}

function unknownServer(catalog: Catalog, name: string) {
  return errorResult(`unknown server "${name}"; servers: ${catalog.servers.map((s) => s.name).join(", ")}`);
}

function knownServer(catalog: Catalog, name: string | undefined): ServerEntry | undefined {
  return name === undefined ? undefined : (catalog.byName.get(name) ?? catalog.byServerId.get(name));
}

function toolDetails(tool: CatalogTool, observed?: ObservedTypes) {
  const seen = observed?.override(tool);
  return {
    server: tool.server,
    name: tool.id,
    upstream_name: tool.name,
    module: `servers/${tool.serverId}`,
    import: `import { ${tool.id} } from "servers/${tool.serverId}";`,
    declaration: toolDeclaration(tool, { outputType: () => seen }),
    // Shown, not used: prose in upstream schemas is cleaned like descriptions (validation keeps the original).
    input_schema: cleanSchemaText(tool.inputSchema),
    ...(tool.outputSchema ? { output_schema: cleanSchemaText(tool.outputSchema) } : {}),
    // Inferred from results (src/typecheck/observed-types.ts): a sample, shown beside the declaration's doc.
    ...(seen ? { observed_output: { type: seen.type, calls: seen.calls } } : {}),
    hash: tool.hash,
    first_seen_hash: tool.firstSeenHash ?? tool.hash,
    changed_since_first_seen: tool.changed === true,
    ...(tool.deferred ? { deferred: true } : {}),
    ...(tool.needsTasks ? { cannot_call: NEEDS_TASKS_NOTE } : {}),
  };
}

export function registerDiscoveryTools(server: McpServer, ctx: GatewayContext): void {
  server.registerTool(
    "list_servers",
    {
      description: "Servers: scope, auth, module, status; refresh re-lists.",
      inputSchema: { refresh: z.boolean().optional() },
    },
    async ({ refresh }) => {
      const catalog = await ctx.registry.catalog({ refresh: refresh === true, patienceMs: FIRST_LISTING_PATIENCE_MS });
      const servers = catalog.servers.map((s) => serverSummary(s, circuitOf(ctx, s.name)));
      return structuredResult({ servers }, servers.map(renderServer).join("\n"));
    },
  );

  server.registerTool(
    "list_tool_names",
    {
      description: "Tool names by module, fast; keywords filter.",
      inputSchema: {
        server: z.string().optional(),
        keywords: z.array(z.string()).optional(),
        limit: z.number().default(DEFAULT_NAMES),
        include_deferred: z.boolean().default(false),
      },
    },
    async ({ server: only, keywords, limit, include_deferred }) => {
      const catalog = await patientCatalog(ctx, only);
      const entry = knownServer(catalog, only);
      if (only !== undefined && !entry) return unknownServer(catalog, only);
      const r = listToolNames(catalog, {
        server: entry?.name,
        keywords: keywords?.slice(0, MAX_KEYWORDS).map((k) => k.slice(0, 100)),
        limit: clamp(limit, 1, MAX_NAMES),
        includeDeferred: include_deferred,
      });
      const byModule = new Map<string, string[]>();
      for (const t of r.tools) {
        const m = `servers/${t.serverId}`;
        byModule.set(m, [...(byModule.get(m) ?? []), t.id]);
      }
      const lines = [...byModule].map(([m, ids]) => `${m}: ${ids.join(", ")}`);
      if (r.total > r.tools.length) lines.push(`${r.total - r.tools.length} more match; raise limit or narrow.`);
      if (r.deferredHidden) lines.push(`${r.deferredHidden} deferred tools not shown (include_deferred: true).`);
      const connecting = stillConnecting(catalog);
      const failed = failedServers(catalog).filter((f) => !entry || f.server === entry.name);
      if (lines.length === 0) lines.push("No tools match.");
      lines.push(...missingLines(connecting, failed));
      return structuredResult(
        {
          tools: r.tools.map((t) => `${t.server}.${t.id}`),
          total: r.total,
          deferred_hidden: r.deferredHidden,
          ...(connecting.length ? { connecting } : {}),
          ...(failed.length ? { failed } : {}),
        },
        lines.join("\n"),
      );
    },
  );

  server.registerTool(
    "search_tools",
    {
      description: "Find tools by what they do, with signatures.",
      inputSchema: {
        query: z.string(),
        limit: z.number().default(DEFAULT_SEARCH_HITS),
        server: z.string().optional(),
        include_deferred: z.boolean().default(true),
      },
    },
    async ({ query, limit, server: only, include_deferred }) => {
      const catalog = await patientCatalog(ctx, only);
      const entry = knownServer(catalog, only);
      if (only !== undefined && !entry) return unknownServer(catalog, only);
      if (!query.trim()) return errorResult("query is empty: say in words what the tool should do");
      const hits = await searchCatalog(
        catalog,
        query.slice(0, 1_000),
        {
          limit: clamp(limit, 1, MAX_SEARCH_HITS),
          includeDeferred: include_deferred,
          ...(entry ? { server: entry.name } : {}),
        },
        ctx.semantic,
      );
      const ranked = ctx.models?.config.rerank ? await rerankHits(ctx.models, query.slice(0, 1_000), hits) : hits;
      const tools = ranked.map((t) => ({
        server: t.server,
        name: t.id,
        module: `servers/${t.serverId}`,
        description: t.description.length > 300 ? `${t.description.slice(0, 299)}…` : t.description,
        signature: toolSignature(t),
        ...(t.deferred ? { deferred: true } : {}),
        ...(t.changed ? { changed_since_first_seen: true } : {}),
        ...(t.needsTasks ? { cannot_call: NEEDS_TASKS_NOTE } : {}),
      }));
      // Skills are ranked in their own small index (scores of two corpora are not comparable) and listed apart.
      const skills = entry
        ? []
        : (await ctx.skills.search(query.slice(0, 1_000), MAX_SKILL_HITS)).map((k) => ({
            kind: "skill" as const,
            name: k.name,
            version: k.version,
            description: k.description.length > 300 ? `${k.description.slice(0, 299)}…` : k.description,
            import: `import { ${k.name} } from "skills/${k.name}";`,
          }));
      const lines = tools.map(
        (t) =>
          `${t.module} ${t.signature}${"cannot_call" in t ? `  (cannot be called: ${t.cannot_call})` : ""}\n  ${t.description}`,
      );
      if (skills.length)
        lines.push("skills:", ...skills.map((k) => `${k.import}  (run_skill "${k.name}")\n  ${k.description}`));
      const connecting = stillConnecting(catalog);
      const failed = failedServers(catalog).filter((f) => !entry || f.server === entry.name);
      const text = [
        ...(lines.length
          ? lines
          : ["No tool matches that query. Try other words, or list_tool_names to see what exists."]),
        ...missingLines(connecting, failed),
      ].join("\n");
      return structuredResult(
        {
          tools,
          ...(skills.length ? { skills } : {}),
          ...(connecting.length ? { connecting } : {}),
          ...(failed.length ? { failed } : {}),
        },
        text,
      );
    },
  );

  server.registerTool(
    "get_tool_details",
    {
      description: 'Declarations of tools, e.g. ["workspace.read_file"].',
      inputSchema: { tools: z.array(z.string()) },
    },
    async ({ tools: names }) => {
      const catalog = await ctx.registry.catalog();
      const matched: CatalogTool[] = [];
      const missing: string[] = [];
      if (names.length === 0 || names.length > MAX_DETAILS) {
        return errorResult(`name 1 to ${MAX_DETAILS} tools as "server.tool"`);
      }
      for (const full of names) {
        // Server names may contain dots ("poison.a"): the split is tried at known server names only.
        const tool = full.length <= MAX_TOOL_NAME_CHARS ? findDottedTool(catalog, full) : undefined;
        if (tool) matched.push(tool);
        else missing.push(full);
      }
      await ctx.observed?.load(catalog, matched);
      const found = matched.map((tool) => toolDetails(tool, ctx.observed));
      const budget = new SuggestBudget();
      const hinted = missing.map((name) => {
        if (name.length > MAX_TOOL_NAME_CHARS) {
          return `${echoed(name)} (longer than ${MAX_TOOL_NAME_CHARS.toLocaleString("en-US")} characters: no tool is named so)`;
        }
        const hint = didYouMean(closeToolNames(catalog, name, budget)).trim();
        return hint ? `${echoed(name)} (${hint.replace(/^Did/, "did")})` : echoed(name);
      });
      if (found.length === 0) {
        return errorResult(
          `no such tool: ${hinted.join("; ")}. Name tools as "server.tool" (see list_tool_names or search_tools).`,
        );
      }
      const text = [
        ...found.map(
          (t) =>
            `${t.import}\n${t.declaration}` +
            (t.changed_since_first_seen
              ? `\n// WARNING: definition changed since first seen (hash ${t.first_seen_hash} -> ${t.hash})`
              : ""),
        ),
        ...(missing.length ? [`not found: ${hinted.join("; ")}`] : []),
      ].join("\n\n");
      return structuredResult({ tools: found, ...(missing.length ? { not_found: missing.map(echoed) } : {}) }, text);
    },
  );
}

/**
 * What a tool name get_tool_details did not find may have meant: the tool of that name on any server when the
 * server was left out (`read_file` for `workspace.read_file`), else the closest "server.tool" spellings.
 */
function closeToolNames(catalog: Catalog, wanted: string, budget: SuggestBudget): string[] {
  const bare = catalog.tools.filter((t) => t.name === wanted || t.id === wanted).map((t) => `${t.server}.${t.name}`);
  if (bare.length) return bare.slice(0, 3);
  return suggest(
    wanted,
    catalog.tools.map((t) => `${t.server}.${t.name}`),
    3,
    budget,
  );
}
