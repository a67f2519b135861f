/**
 * `npm run eval:search -- --rerank-url … --rerank-model …` against the scripted OpenAI-compatible server of the
 * run_task tests (no model runs here: the answer is scripted). Shows the flag reorders hits as search_tools does.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startNodeUpstream, type Upstream } from "../../support/upstreams";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const MODEL_SERVER = fileURLToPath(new URL("../../support/model-server.mjs", import.meta.url));
const run = promisify(execFile);

let models: Upstream;
let dir: string;
before(async () => {
  models = await startNodeUpstream(MODEL_SERVER, [], "/v1");
  dir = mkdtempSync(join(tmpdir(), "cg-rerank-"));
  const tools = [
    { name: "read_file", description: "Read a file from disk." },
    { name: "write_file", description: "Write a file to disk." },
    { name: "delete_file", description: "Delete a file from disk." },
  ].map((t) => ({ ...t, inputSchema: { type: "object" } }));
  writeFileSync(join(dir, "catalog.json"), JSON.stringify({ servers: [{ name: "fs", tools }] }));
  writeFileSync(
    join(dir, "queries.jsonl"),
    `${JSON.stringify({ id: "q1", query: "read a file", relevant: [{ tool: "read_file" }] })}\n`,
  );
});
after(async () => {
  await models?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function evalSearch(extra: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/eval-search.ts",
      "--catalog",
      join(dir, "catalog.json"),
      "--queries",
      join(dir, "queries.jsonl"),
      ...extra,
    ],
    { cwd: ROOT, env: { ...process.env, RERANK_API_KEY: "sk-eval" } },
  );
  return JSON.parse(stdout.trim());
}

describe("eval:search --rerank-url", () => {
  it("reorders each query's hits by the model's answer and reports the model", async () => {
    const plain = await evalSearch([]);
    assert.equal(plain.hit_at_1, 1);
    // The scripted model puts the last hit first: read_file is no longer ranked first.
    await fetch(new URL("/script", models.url), {
      method: "POST",
      body: JSON.stringify({ "rank-model": ["[3]"] }),
    });
    const reranked = await evalSearch(["--rerank-url", models.url, "--rerank-model", "rank-model"]);
    assert.equal(reranked.rerank_model, "rank-model");
    assert.equal(reranked.rerank_fallbacks, 0);
    assert.equal(reranked.hit_at_1, 0);
    const seen = (await (await fetch(new URL("/requests", models.url))).json()) as Array<{ authorization: string }>;
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.authorization, "Bearer sk-eval");
  });
});
