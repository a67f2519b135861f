/**
 * The tool calls of a run_task attempt are bounded in its report as execute_code's reply bounds them
 * (src/mcp/tool-call-summary.ts), and whether a failed attempt is retried is still decided on every call it made.
 * The models are an OpenAI-compatible server on 127.0.0.1 answering scripted responses (no model runs here).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { LISTED_TOOL_CALLS } from "../../src/mcp/tool-call-summary";
import { connect, type Gateway, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const MODEL_SERVER = fileURLToPath(new URL("../support/model-server.mjs", import.meta.url));
const fence = (code: string) => `\`\`\`ts\n${code}\n\`\`\``;

let models: Upstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  models = await startNodeUpstream(MODEL_SERVER, [], "/v1");
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace" }],
      network: { allow_loopback: true },
      models: { provider: "openai", base_url: models.url, strategy: "plan", filter: "filter", main: "main" },
    },
  });
  session = await connect(gateway.mcpUrl);
  const seeded = await session.call("execute_code", {
    code: `import { write_file } from "servers/workspace";\nawait write_file({ path: "/trace.txt", content: "x" });`,
  });
  assert.notEqual(seeded.isError, true, JSON.stringify(seeded.content));
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await models?.stop();
});

async function runTask(main: string[]): Promise<any> {
  const scripted = await fetch(new URL("/script", models.url), {
    method: "POST",
    body: JSON.stringify({ plan: ["1. Read files."], filter: ["[]"], main: main.map(fence) }),
  });
  assert.equal(scripted.status, 200);
  const r = await session.call("run_task", { task: "Read the notes many times" });
  return { ...(r.structuredContent as any), text: (r.content[0] as any).text };
}

describe("run_task's per-attempt tool calls", () => {
  test("an attempt of 65 calls lists the first 20 and the later failures, and counts the rest", async () => {
    const r = await runTask([
      `import { read_file, write_file } from "servers/workspace";
await write_file({ path: "/trace.txt", content: "x" });
for (let i = 0; i < 59; i++) await read_file({ path: "/trace.txt" });
for (let i = 0; i < 5; i++) await read_file({ path: "/missing.txt" }).catch(() => null);
throw new Error("after the reads");`,
    ]);
    const attempt = r.attempts[0];
    assert.equal(attempt.tool_calls_total, 65, r.text);
    assert.equal(attempt.tool_calls.length, LISTED_TOOL_CALLS + 5);
    assert.deepEqual(attempt.tool_calls[0], {
      server: "workspace",
      tool: "write_file",
      status: "ok",
      read_only: false,
    });
    assert.deepEqual(
      attempt.tool_calls.slice(LISTED_TOOL_CALLS).map((c: any) => `${c.tool}:${c.status}:${c.read_only}`),
      Array(5).fill("read_file:error:true"),
    );
    assert.equal(attempt.tool_calls_summary.length, 1);
    assert.equal(attempt.tool_calls_summary[0].tool, "read_file");
    assert.equal(attempt.tool_calls_summary[0].status, "ok");
    assert.equal(attempt.tool_calls_summary[0].calls, 40);
    assert.equal(attempt.tool_calls_summary[0].read_only, true);
    // The write came first: the task stops instead of retrying.
    assert.equal(r.outcome, "stopped");
  });

  test("a call that is not read-only among the counted ones still stops the task instead of retrying", async () => {
    const r = await runTask([
      `import { read_file, write_file } from "servers/workspace";
for (let i = 0; i < 50; i++) await read_file({ path: "/trace.txt" });
await write_file({ path: "/trace2.txt", content: "y" });
throw new Error("after the second write");`,
      "return 1;",
    ]);
    assert.equal(r.attempts.length, 1);
    assert.equal(r.outcome, "stopped", r.text);
    const summary = r.attempts[0].tool_calls_summary;
    assert.deepEqual(
      summary.map((g: any) => `${g.tool}:${g.status}:${g.calls}:${g.read_only}`),
      ["read_file:ok:30:true", "write_file:ok:1:false"],
    );
  });

  test("a short attempt lists every call and no summary", async () => {
    const r = await runTask([
      `import { read_file } from "servers/workspace";
for (let i = 0; i < 3; i++) await read_file({ path: "/trace.txt" });
throw new Error("after three reads");`,
      "return 1;",
    ]);
    assert.equal(r.outcome, "succeeded", r.text);
    assert.equal(r.attempts[0].tool_calls.length, 3);
    assert.equal(r.attempts[0].tool_calls_total, undefined);
    assert.equal(r.attempts[0].tool_calls_summary, undefined);
  });
});
