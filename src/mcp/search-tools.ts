/**
 * @module mcp/search-tools
 * `search_tools`: upstream tools ranked for a query, with their call signatures, then (apart, from their own small
 * indexes) the skills and the gateway's own module exports the query asks for. A signature's result type is the one
 * get_tool_details and the type check use: declared, else observed from earlier results (marked so), else `unknown`.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { toolSignature } from "../codegen/declarations";
import { rerankHits } from "../planning/search-rerank";
import { NEEDS_TASKS_NOTE } from "../registry/task-support";
import { unrunnableReason } from "../skills/skill-check";
import { searchCatalog } from "./catalog-search";
import type { GatewayContext } from "./gateway-context";
import { searchGatewayModule } from "./gateway-module-search";
import {
  failedServers,
  knownServer,
  missingLines,
  patientCatalog,
  stillConnecting,
  unknownServer,
} from "./server-listing";
import { errorResult, structuredResult } from "./tool-result";

const DEFAULT_SEARCH_HITS = 10;
const MAX_SEARCH_HITS = 50;
const MAX_SKILL_HITS = 3;
const MAX_QUERY_CHARS = 1_000;

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(n) || min));
const short = (text: string) => (text.length > 300 ? `${text.slice(0, 299)}…` : text);
const calls = (n: number) => `${n} call${n === 1 ? "" : "s"}`;

export function registerSearchTools(server: McpServer, ctx: GatewayContext): void {
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
      const q = query.slice(0, MAX_QUERY_CHARS);
      const hits = await searchCatalog(
        catalog,
        q,
        {
          limit: clamp(limit, 1, MAX_SEARCH_HITS),
          includeDeferred: include_deferred,
          ...(entry ? { server: entry.name } : {}),
        },
        ctx.semantic,
      );
      const ranked = ctx.models?.config.rerank ? await rerankHits(ctx.models, q, hits) : hits;
      await ctx.observed?.load(catalog, ranked);
      const tools = ranked.map((t) => {
        const seen = ctx.observed?.override(t);
        return {
          server: t.server,
          name: t.id,
          module: `servers/${t.serverId}`,
          description: short(t.description),
          signature: toolSignature(t, { outputType: () => seen }),
          // The signature's result type is inferred from results, not declared (get_tool_details shows its doc).
          ...(seen ? { observed_output: { calls: seen.calls } } : {}),
          ...(t.deferred ? { deferred: true } : {}),
          ...(t.changed ? { changed_since_first_seen: true } : {}),
          ...(t.needsTasks ? { cannot_call: NEEDS_TASKS_NOTE } : {}),
        };
      });
      // Skills and the gateway's module are ranked in their own small indexes (scores of two corpora are not
      // comparable) and listed apart, so they never push a tool out.
      const skills = entry
        ? []
        : (await ctx.skills.search(q, MAX_SKILL_HITS, catalog)).map((k) => {
            const blocked = unrunnableReason(k.drift);
            return {
              kind: "skill" as const,
              name: k.name,
              version: k.version,
              description: short(k.description),
              import: `import { ${k.name} } from "skills/${k.name}";`,
              ...(blocked ? { cannot_run: blocked } : {}),
            };
          });
      const gateway = entry ? [] : searchGatewayModule(q);
      const lines = tools.map(
        (t) =>
          `${t.module} ${t.signature}` +
          (t.observed_output ? `  (result type observed from ${calls(t.observed_output.calls)}, not declared)` : "") +
          ("cannot_call" in t ? `  (cannot be called: ${t.cannot_call})` : "") +
          `\n  ${t.description}`,
      );
      if (skills.length) {
        lines.push(
          "skills:",
          ...skills.map(
            (k) =>
              ("cannot_run" in k
                ? `${k.import}  (cannot run: ${k.cannot_run}; list_skills shows its drift)`
                : `${k.import}  (run_skill "${k.name}")`) + `\n  ${k.description}`,
          ),
        );
      }
      if (gateway.length) {
        lines.push("the gateway's own module:", ...gateway.map((g) => `${g.import}\n${g.declaration}`));
      }
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
          ...(gateway.length ? { gateway } : {}),
          ...(connecting.length ? { connecting } : {}),
          ...(failed.length ? { failed } : {}),
        },
        text,
      );
    },
  );
}
