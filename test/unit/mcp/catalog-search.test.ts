import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { localEmbedder } from "../../../scripts/local-embedder";
import { findTool, listToolNames, type SemanticSearch, searchCatalog } from "../../../src/mcp/catalog-search";
import { hashTools, toCatalogTools } from "../../../src/registry/catalog-build";
import type { Catalog } from "../../../src/registry/registry";
import type { UpstreamTool } from "../../../src/registry/registry-types";
import type { ServerEntry } from "../../../src/registry/server-entry";
import { toolSelection } from "../../../src/registry/tool-filter";
import { OFF_TOPIC_PROBES } from "../../../src/search/index";

const TOOLS: UpstreamTool[] = [
  { name: "get_weather", description: "Current weather forecast for a city.", inputSchema: { type: "object" } },
  { name: "send_email", description: "Send an email message to a recipient.", inputSchema: { type: "object" } },
  { name: "rare_report", description: "Quarterly revenue report.", inputSchema: { type: "object" } },
];

async function catalogOf(tools: UpstreamTool[]): Promise<Catalog> {
  const listed = await hashTools(tools);
  const built = toCatalogTools(
    { name: "demo", serverId: "demo" },
    listed,
    toolSelection({ defer_loading: ["rare_*"] }),
    new Map(),
  );
  const entry: ServerEntry = {
    name: "demo",
    scope: "gateway",
    auth: { type: "none", status: "connected" },
    serverId: "demo",
    url: "http://demo.test/mcp",
    description: "",
    status: "ok",
    tools: built,
    byId: new Map(built.map((t) => [t.id, t])),
    byUpstreamName: new Map(built.map((t) => [t.name, t])),
    changedTools: [],
    deferredCount: built.filter((t) => t.deferred).length,
  };
  return { servers: [entry], tools: built, byName: new Map([["demo", entry]]), byServerId: new Map([["demo", entry]]) };
}

/**
 * The semantic layer with a real embedding model run locally (USE lite, from an npm package) in place of Workers AI;
 * `calls` records every batch the model is asked to embed.
 */
function localSemantic(calls: string[][], minScore?: number, model = "use-lite"): SemanticSearch {
  const embed = localEmbedder("use-lite");
  return {
    model,
    minScore,
    embed: async (texts) => {
      calls.push(texts);
      return embed(texts);
    },
  };
}

describe("searchCatalog", () => {
  it("ranks lexically without a semantic layer", async () => {
    const hits = await searchCatalog(await catalogOf(TOOLS), "weather in Paris", { limit: 5 });
    assert.equal(hits[0]?.name, "get_weather");
  });

  it("finds a tool by meaning when no word matches, through the embedding ranking", async () => {
    const catalog = await catalogOf(TOOLS);
    const query = "will I need an umbrella in Oslo tomorrow";
    assert.deepEqual(await searchCatalog(catalog, query, { limit: 5 }), []);
    const hits = await searchCatalog(catalog, query, { limit: 5 }, localSemantic([], 0));
    assert.equal(hits[0]?.name, "get_weather");
  });

  it("abstains when neither ranking really matches", async () => {
    const hits = await searchCatalog(await catalogOf(TOOLS), "zebra", { limit: 5 }, localSemantic([], 0.9));
    assert.deepEqual(hits, []);
  });

  it("calibrates the similarity floor once per catalog with off-topic probes when none is configured", async () => {
    const calls: string[][] = [];
    const semantic = localSemantic(calls, undefined, "use-lite-calibrated");
    const catalog = await catalogOf(TOOLS);
    assert.deepEqual(
      await searchCatalog(catalog, "Who composed the Brandenburg concertos?", { limit: 5 }, semantic),
      [],
    );
    const hits = await searchCatalog(catalog, "send an email to the team", { limit: 5 }, semantic);
    assert.equal(hits[0]?.name, "send_email");
    // Documents, the probes (once), then one query per search.
    assert.deepEqual(
      calls.map((c) => c.length),
      [3, OFF_TOPIC_PROBES.length, 1, 1],
    );
    // A refreshed catalog is recalibrated from the probe vectors already embedded for this model.
    const changed = TOOLS.map((t) => (t.name === "send_email" ? { ...t, description: "Send mail." } : t));
    await searchCatalog(await catalogOf(changed), "send mail to the team", { limit: 5 }, semantic);
    assert.deepEqual(
      calls.slice(4).map((c) => c.length),
      [1, 1],
    );
  });

  it("falls back to the lexical ranking when the embedding service fails", async () => {
    const failing: SemanticSearch = {
      model: "broken",
      minScore: 0,
      embed: async () => {
        throw new Error("AI unavailable");
      },
    };
    const hits = await searchCatalog(await catalogOf(TOOLS), "send an email", { limit: 5 }, failing);
    assert.equal(hits[0]?.name, "send_email");
  });

  it("embeds only new or changed tools when the catalog is refreshed", async () => {
    const calls: string[][] = [];
    // Its own model name: cached vectors are keyed by model, and other tests used "use-lite".
    const semantic = localSemantic(calls, 0.5, "use-lite-refresh");
    await searchCatalog(await catalogOf(TOOLS), "mail", { limit: 5 }, semantic);
    const changed = TOOLS.map((t) => (t.name === "send_email" ? { ...t, description: "Send mail." } : t));
    await searchCatalog(await catalogOf(changed), "mail", { limit: 5 }, semantic);
    // First build: 3 documents + query; second: the changed tool only + query.
    assert.deepEqual(
      calls.map((c) => c.length),
      [3, 1, 1, 1],
    );
  });

  it("leaves deferred tools out when includeDeferred is false", async () => {
    const catalog = await catalogOf(TOOLS);
    assert.equal((await searchCatalog(catalog, "revenue report", { limit: 5 }))[0]?.name, "rare_report");
    assert.deepEqual(await searchCatalog(catalog, "revenue report", { limit: 5, includeDeferred: false }), []);
  });
});

describe("listToolNames", () => {
  it("counts deferred tools it hides and matches any keyword", async () => {
    const r = listToolNames(await catalogOf(TOOLS), {
      keywords: ["EMAIL", "revenue"],
      limit: 10,
      includeDeferred: false,
    });
    assert.deepEqual(
      r.tools.map((t) => t.name),
      ["send_email"],
    );
    assert.equal(r.deferredHidden, 1);
  });
});

describe("findTool", () => {
  it("finds a tool by its export id or its upstream name", async () => {
    const tools: UpstreamTool[] = [{ name: "get-sum", inputSchema: { type: "object" } }];
    const catalog = await catalogOf(tools);
    assert.equal(findTool(catalog, "demo", "get_sum")?.name, "get-sum");
    assert.equal(findTool(catalog, "demo", "get-sum")?.name, "get-sum");
    assert.equal(findTool(catalog, "nope", "get_sum"), undefined);
  });
});
