/**
 * Whether run_task is listed: only with models configured, and the default tools/list stays under its token budget.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { jsonTokens } from "../../../bench/lib/tokens";
import { loadConfig } from "../../../src/config";
import { createGatewayServer, type GatewayContext } from "../../../src/mcp/gateway-server";
import { taskModelsFrom } from "../../../src/planning/model-client";

async function listedTools(ctx: Partial<GatewayContext>) {
  const server = createGatewayServer(ctx as GatewayContext);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: "t", version: "0" });
  await client.connect(b);
  const { tools } = await client.listTools();
  await client.close();
  return tools;
}

function configWith(extra: Record<string, unknown>) {
  const loaded = loadConfig(extra);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.error);
  return loaded.config;
}

describe("run_task listing", () => {
  it("is not listed when no models are configured, and tools/list stays under 1,000 tokens", async () => {
    const config = configWith({});
    const tools = await listedTools({ config, models: taskModelsFrom({}, config) });
    assert.ok(!tools.some((t) => t.name === "run_task"));
    const tokens = jsonTokens(tools);
    assert.ok(tokens < 1_000, `default tools/list is ${tokens} tokens`);
    console.log(`default tools/list: ${tokens} tokens (o200k_base)`);
  });

  it("is listed when models are configured", async () => {
    const config = configWith({ models: { provider: "workers-ai" } });
    const tools = await listedTools({ config, models: taskModelsFrom({}, config) });
    const runTask = tools.find((t) => t.name === "run_task");
    assert.ok(runTask);
    console.log(`tools/list with run_task: ${jsonTokens(tools)} tokens (o200k_base)`);
    assert.deepEqual(Object.keys(runTask.inputSchema.properties ?? {}).sort(), [
      "max_attempts",
      "save_as",
      "servers",
      "task",
      "timeout_ms",
    ]);
  });

  it("refuses an openai provider without base_url or models, naming what is missing", () => {
    const loaded = loadConfig({ models: { provider: "openai" } });
    assert.equal(loaded.ok, false);
    assert.match(loaded.ok ? "" : loaded.error, /provider "openai" needs base_url/);
    assert.match(loaded.ok ? "" : loaded.error, /needs a main model/);
  });

  it("refuses an API key written into the config instead of a secret reference", () => {
    const loaded = loadConfig({
      models: {
        provider: "openai",
        base_url: "https://x.example/v1",
        api_key: "sk-live-123",
        strategy: "a",
        filter: "b",
        main: "c",
      },
    });
    assert.equal(loaded.ok, false);
    assert.match(loaded.ok ? "" : loaded.error, /name a Worker secret/);
    assert.doesNotMatch(loaded.ok ? "" : loaded.error, /sk-live-123/);
  });
});
