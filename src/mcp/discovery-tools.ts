/**
 * @module mcp/discovery-tools
 * `list_servers`, `list_tool_names`, `search_tools`, `get_tool_details`: how a model finds tools and reads their
 * TypeScript API. Descriptions stay short (the gateway's whole `tools/list` is kept under 1,000 tokens), and every
 * answer names the module to import from.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { cleanSchemaText } from "../codegen/clean-schema";
import { toolDeclaration } from "../codegen/declarations";
import { type GatewayExport, gatewayExportNamed, gatewayImport } from "../codegen/gateway-module";
import { FIRST_LISTING_PATIENCE_MS } from "../registry/listing-patience";
import type { Catalog } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import { NEEDS_TASKS_NOTE } from "../registry/task-support";
import { didYouMean, SuggestBudget, suggest } from "../sandbox/prepare-suggest";
import type { ObservedTypes } from "../typecheck/observed-types";
import { findDottedTool, listToolNames } from "./catalog-search";
import type { GatewayContext } from "./gateway-context";
import { registerSearchTools } from "./search-tools";
import {
  circuitOf,
  failedServers,
  knownServer,
  missingLines,
  patientCatalog,
  renderServer,
  serverSummary,
  stillConnecting,
  unknownServer,
} from "./server-listing";
import { errorResult, structuredResult } from "./tool-result";

// Bounds applied in the handlers rather than in the input schemas: each JSON Schema keyword is tokens in every
// client's context, while an out-of-range number is simply clamped.
const DEFAULT_NAMES = 200;
const MAX_NAMES = 5_000;
const MAX_KEYWORDS = 20;
const MAX_DETAILS = 50;
/**
 * The longest "server.tool" get_tool_details looks up: a server name (64 characters, config's ServerNameSchema), a
 * dot, and a tool name with room to spare (the catalog keeps none over 256 characters, src/registry/catalog-build.ts
 * MAX_TOOL_NAME_CHARS, so every catalog tool can be looked up). Longer is refused unread.
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
      description: "Tool names by server, fast; keywords filter.",
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

  registerSearchTools(server, ctx);

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
      const own: GatewayExport[] = [];
      for (const full of names) {
        // Server names may contain dots ("poison.a"): the split is tried at known server names only.
        const tool = full.length <= MAX_TOOL_NAME_CHARS ? findDottedTool(catalog, full) : undefined;
        // `gateway.state` as search_tools lists it: the gateway's own module, declared like a tool.
        const export_ = tool ? undefined : gatewayExportNamed(full);
        if (tool) matched.push(tool);
        else if (export_) {
          if (!own.includes(export_)) own.push(export_);
        } else missing.push(full);
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
      const gateway = own.map((e) => ({
        name: `gateway.${e.name}`,
        import: gatewayImport(e.name),
        declaration: e.declaration,
      }));
      if (found.length === 0 && gateway.length === 0) {
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
        ...gateway.map((g) => `${g.import}  // the gateway's own module\n${g.declaration}`),
        ...(missing.length ? [`not found: ${hinted.join("; ")}`] : []),
      ].join("\n\n");
      return structuredResult(
        {
          tools: found,
          ...(gateway.length ? { gateway } : {}),
          ...(missing.length ? { not_found: missing.map(echoed) } : {}),
        },
        text,
      );
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
