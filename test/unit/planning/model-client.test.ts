/** The model client's guards, without a model: nothing here reaches a network. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../../../src/config";
import { ModelError, taskModelsFrom } from "../../../src/planning/model-client";

function modelsFor(models: Record<string, unknown>, env: Record<string, unknown> = {}) {
  const loaded = loadConfig({ models });
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.error);
  return taskModelsFrom(env, loaded.config)!;
}

const OPENAI = { provider: "openai", strategy: "s", filter: "f", main: "m" };
const USER = [{ role: "user" as const, content: "hi" }];

describe("model client", () => {
  it("refuses a loopback endpoint through the network guard unless allow_loopback is set", async () => {
    const models = modelsFor({ ...OPENAI, base_url: "http://127.0.0.1:9/v1" });
    await assert.rejects(models.chat("main", USER), (err: Error) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /loopback/i);
      return true;
    });
  });

  it("refuses the cloud metadata address", async () => {
    const models = modelsFor({ ...OPENAI, base_url: "http://169.254.169.254/v1" });
    await assert.rejects(models.chat("main", USER), ModelError);
  });

  it("names a missing API key secret without any value", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, resolved by the gateway.
    const key = "${MISSING_KEY}";
    const models = modelsFor({ ...OPENAI, base_url: "https://models.example.com/v1", api_key: key });
    await assert.rejects(models.chat("main", USER), /secret MISSING_KEY is not set/);
  });

  it("says which binding is missing for workers-ai", async () => {
    const models = modelsFor({ provider: "workers-ai", binding: "MY_AI" });
    await assert.rejects(models.chat("strategy", USER), /no Workers AI binding named MY_AI/);
  });

  it("calls the workers-ai binding with the role's default model and reads usage", async () => {
    const calls: Array<{ model: string; input: any }> = [];
    const AI = {
      run: async (model: string, input: unknown) => {
        calls.push({ model, input });
        return { response: "ok", usage: { prompt_tokens: 7, completion_tokens: 2 } };
      },
    };
    const answer = await modelsFor({ provider: "workers-ai" }, { AI }).chat("main", USER);
    assert.deepEqual(answer, {
      text: "ok",
      model: "@cf/qwen/qwen2.5-coder-32b-instruct",
      tokens: { input: 7, output: 2 },
    });
    assert.deepEqual(calls[0]!.input.messages, USER);
  });
});
