/**
 * run_task's attempts run through the session's execute path, so the per-user rate limit counts every attempt.
 * The models are an OpenAI-compatible server on 127.0.0.1 answering scripted responses (no model runs here).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
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
      limits: { execute_rate_limit: { executions: 2, per_seconds: 3_600 } },
      models: { provider: "openai", base_url: models.url, strategy: "plan", filter: "filter", main: "main" },
    },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await models?.stop();
});

describe("run_task and the rate limit", () => {
  test("every attempt counts against execute_rate_limit; the attempt past it ends the task as refused", async () => {
    await fetch(new URL("/script", models.url), {
      method: "POST",
      body: JSON.stringify({
        plan: ["1. Return a number."],
        filter: ["[]"],
        main: [fence('throw new Error("one");'), fence('throw new Error("two");'), fence("return 3;")],
      }),
    });
    const r = await session.call("run_task", { task: "Return three" });
    const data = r.structuredContent as any;
    assert.equal(data.outcome, "refused", (r.content[0] as any).text);
    assert.match(data.error, /rate limit: 2 executions per 3600 s/);
    const errors = data.attempts.map((a: any) => a.error?.message ?? "");
    assert.equal(errors.length, 3);
    assert.match(errors[0], /one/);
    assert.match(errors[1], /two/);
    assert.match(errors[2], /rate limit/);
    const history = await session.data("list_executions", { limit: 10 });
    assert.equal(history.executions.length, 2);
  });
});
