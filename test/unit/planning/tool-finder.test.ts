import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashTools, toCatalogTools } from "../../../src/registry/catalog-build";
import type { CatalogTool } from "../../../src/registry/registry-types";
import { toolSelection } from "../../../src/registry/tool-filter";
import type { ChatMessage, TaskModels } from "../../../src/planning/model-client";
import { FILTER_BATCH, filterCandidates, MAX_CHOSEN } from "../../../src/planning/tool-finder";

async function tools(n: number): Promise<CatalogTool[]> {
  const listed = await hashTools(
    Array.from({ length: n }, (_, i) => ({
      name: `tool_${i}`,
      description: `Tool number ${i}.`,
      inputSchema: { type: "object" },
    })),
  );
  return toCatalogTools({ name: "demo", serverId: "demo" }, listed, toolSelection({ defer_loading: false }), new Map());
}

/** A filter model answering per batch: the answer for the batch whose first candidate is `tool_<k>`. */
function scripted(answers: Map<number, string>, prompts: ChatMessage[][] = []): TaskModels {
  return {
    config: {} as TaskModels["config"],
    async chat(_role, messages) {
      prompts.push([...messages]);
      const first = Number(/1\. servers\/demo tool_(\d+)\(/.exec(messages.at(-1)!.content)![1]);
      return { text: answers.get(first) ?? "", model: "fake", tokens: { input: 1, output: 1 } };
    },
  };
}

describe("filterCandidates", () => {
  it("asks one prompt per batch of candidates and keeps the picks in batch order", async () => {
    const candidates = await tools(25);
    const prompts: ChatMessage[][] = [];
    const models = scripted(
      new Map([
        [0, "[2]"],
        [10, "[3, 1]"],
        [20, "[]"],
      ]),
      prompts,
    );
    const found = await filterCandidates(models, "task", "plan", candidates, new AbortController().signal);
    assert.equal(prompts.length, Math.ceil(25 / FILTER_BATCH));
    assert.deepEqual(
      found.chosen.map((t) => t.name),
      ["tool_1", "tool_12", "tool_10"],
    );
    assert.deepEqual(
      found.batches.map((b) => b.fallback),
      [false, false, false],
    );
  });

  it("keeps a batch in search order when its answer cannot be parsed, within the cap", async () => {
    const candidates = await tools(20);
    const models = scripted(new Map([[10, "[1]"]]));
    const found = await filterCandidates(models, "task", "plan", candidates, new AbortController().signal);
    assert.equal(found.batches[0]!.fallback, true);
    assert.equal(found.chosen.length, MAX_CHOSEN);
    assert.deepEqual(
      found.chosen.map((t) => t.name),
      Array.from({ length: MAX_CHOSEN }, (_, i) => `tool_${i}`),
    );
  });
});
