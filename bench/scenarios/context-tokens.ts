/**
 * @module bench/scenarios/context-tokens
 * Scenario 5: what a model's context holds before it does anything. For synthetic upstreams of 10 to 10,000 tools,
 * tokens of the gateway's `tools/list` against tokens of the upstream's own `tools/list` (every tool exposed
 * directly). The gateway's catalog is checked to really hold the N tools (list_servers), and search_tools is timed
 * end to end at each size.
 */
import { fileURLToPath } from "node:url";
import { startNodeUpstream } from "../../test/support/upstreams";
import { using } from "../lib/cleanup";
import { connectClient } from "../lib/mcp-client";
import { median, round, time } from "../lib/stats";
import { jsonBytes, jsonTokens, TOKENIZER } from "../lib/tokens";
import { startGatewayWorker } from "../lib/workers";

const UPSTREAM = fileURLToPath(new URL("../synthetic-upstream.mjs", import.meta.url));
const QUERIES = ["create an issue in github", "send a slack message", "refund a stripe payment", "list open incidents"];

async function measureSize(n: number, log: (msg: string) => void) {
  return using(
    `synthetic upstream (${n} tools)`,
    () => startNodeUpstream(UPSTREAM, [String(n)]),
    async (upstream) => {
      const direct = await connectClient(new URL(upstream.url));
      const directTools = await direct.listTools().finally(() => direct.close());
      const config = {
        servers: [{ name: "synthetic", url: upstream.url, description: `Synthetic SaaS catalog (${n} tools)` }],
        network: { allow_loopback: true },
      };
      return using(
        `gateway (${n} tools)`,
        () => startGatewayWorker(config),
        async (gateway) => {
          const client = await connectClient(new URL("/mcp", gateway.url));
          try {
            const gatewayTools = await client.listTools();
            const servers = await client.call("list_servers");
            const entry = (servers.structuredContent as any)?.servers?.find((s: any) => s.name === "synthetic");
            const searchMs: number[] = [];
            for (let i = 0; i < 12; i++) {
              const t = await time(() => client.call("search_tools", { query: QUERIES[i % QUERIES.length]! }));
              if (i >= 2) searchMs.push(t.ms);
            }
            const perTool = gatewayTools
              .map((t) => ({ name: t.name, tokens: jsonTokens(t) }))
              .sort((a, b) => b.tokens - a.tokens);
            const row = {
              upstream_tools: n,
              gateway_tokens: jsonTokens({ tools: gatewayTools }),
              direct_tokens: jsonTokens({ tools: directTools }),
              gateway_bytes: jsonBytes({ tools: gatewayTools }),
              direct_bytes: jsonBytes({ tools: directTools }),
              gateway_tool_count: gatewayTools.length,
              catalog_tools_seen: entry?.tool_count ?? entry?.tools ?? null,
              search_tools_e2e_p50_ms: round(median(searchMs)),
              gateway_tokens_by_tool: perTool,
            };
            log(`  ${n} tools: gateway ${row.gateway_tokens} tokens, direct ${row.direct_tokens} tokens`);
            return row;
          } finally {
            await client.close();
          }
        },
      );
    },
  );
}

export async function contextTokens(quick: boolean, log: (msg: string) => void) {
  const sizes = quick ? [10, 100] : [10, 100, 1000, 10000];
  const rows = [];
  for (const n of sizes) rows.push(await measureSize(n, log));
  // The gateway's list does not depend on the upstream; keep its per-tool breakdown once, from the largest size.
  const byTool = rows.at(-1)!.gateway_tokens_by_tool;
  return {
    tokenizer: TOKENIZER,
    measured: "JSON of the tools/list result ({ tools: [...] }) as the client receives it",
    target_gateway_tokens_below: 1000,
    sizes: rows.map(({ gateway_tokens_by_tool: _, ...row }) => row),
    gateway_tokens_by_tool: byTool,
  };
}
