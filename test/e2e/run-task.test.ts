/**
 * run_task end to end: the real gateway in workerd, a real MCP client, and an OpenAI-compatible endpoint on
 * 127.0.0.1 (test/support/model-server.mjs). NO MODEL RUNS IN THESE TESTS: no model can run on these machines, so
 * every model answer below is scripted for the test. They prove the pipeline's mechanics (prompts, checks, retries,
 * limits, secrets, approvals, skills), not the quality of any model.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { until } from "../support/until";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const MODEL_SERVER = fileURLToPath(new URL("../support/model-server.mjs", import.meta.url));
const API_KEY = "sk-canary-7f3a9c1e5b2d4860";

type Answer = string | { content?: string; delay_ms?: number; status?: number; raw?: string };

let models: Upstream;
let gateway: Gateway;
let session: Session;

const fence = (code: string) => `Here is the program:\n\`\`\`ts\n${code}\n\`\`\`\n`;

async function script(answers: { plan?: Answer[]; filter?: Answer[]; main?: Answer[] }): Promise<void> {
  const base = new URL(models.url);
  const r = await fetch(new URL("/script", base), {
    method: "POST",
    body: JSON.stringify({
      "plan-model": answers.plan ?? [],
      "filter-model": answers.filter ?? [],
      "main-model": answers.main ?? [],
    }),
  });
  assert.equal(r.status, 200);
}

async function requests(): Promise<
  Array<{ model: string; messages: Array<{ role: string; content: string }>; authorization: string | null }>
> {
  return (await fetch(new URL("/requests", new URL(models.url)))).json() as Promise<any>;
}

async function runTask(args: Record<string, unknown>) {
  const r = await session.call("run_task", args);
  return { ...(r.structuredContent as any), isError: r.isError === true, text: (r.content[0] as any)?.text as string };
}

const PLAN = "1. Read the file /notes.txt.\n2. Return its length.";

before(async () => {
  models = await startNodeUpstream(MODEL_SERVER, [], "/v1");
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace" }],
      network: { allow_loopback: true },
      models: {
        provider: "openai",
        base_url: models.url,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, resolved by the gateway.
        api_key: "${MODEL_KEY}",
        strategy: "plan-model",
        filter: "filter-model",
        main: "main-model",
        rerank: true,
      },
    },
    vars: { MODEL_KEY: API_KEY },
  });
  session = await connect(gateway.mcpUrl);
  const seeded = await run(
    session,
    `import { write_file } from "servers/workspace"; await write_file({ path: "/notes.txt", content: "hello" }); return 1;`,
  );
  assert.equal(seeded.ok, true, seeded.text);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await models?.stop();
});

describe("run_task with scripted models", () => {
  test("the main prompt carries the declarations of the tools the filter model chose, and the program runs", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [
        fence(
          `import { read_file } from "servers/workspace";\nconst text: string = await read_file({ path: "/notes.txt" });\nreturn text.length;`,
        ),
      ],
    });
    const r = await runTask({ task: "How long is the text of the file /notes.txt?" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.equal(r.result, 5);
    assert.deepEqual(r.tools, ["workspace.read_file"]);
    assert.equal(r.plan, PLAN);
    const main = (await requests()).filter((q) => q.model === "main-model");
    assert.equal(main.length, 1);
    const prompt = main[0]!.messages.map((m) => m.content).join("\n");
    assert.match(prompt, /import \{ read_file \} from "servers\/workspace";/);
    assert.match(prompt, /declare function read_file\(/);
    assert.doesNotMatch(prompt, /function write_file\(/);
    assert.match(prompt, /How long is the text of the file \/notes\.txt\?/);
  });

  test("the report has per-step timings, token counts and prompt versions", async () => {
    await script({ plan: [PLAN], filter: ["[1]"], main: [fence("return 7;")] });
    const r = await runTask({ task: "Return the number seven" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.deepEqual(
      r.steps.map((s: any) => s.step),
      ["plan", "find_tools", "declarations", "write", "check", "run"],
    );
    for (const s of r.steps) assert.equal(typeof s.ms, "number");
    assert.deepEqual(r.steps[0].tokens, { input: 100, output: 20 });
    assert.equal(r.steps[0].model, "plan-model");
    assert.deepEqual(r.tokens, { input: 300, output: 60 });
    assert.equal(r.prompt_versions.main, "main/1");
  });

  test("a syntax error goes back to the main model and the second attempt runs", async () => {
    await script({ plan: [PLAN], filter: ["[1]"], main: [fence("return (1 +;"), fence("return 42;")] });
    const r = await runTask({ task: "Return the answer" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.equal(r.result, 42);
    assert.equal(r.attempts.length, 2);
    assert.equal(r.attempts[0].stage, "check");
    assert.equal(r.attempts[0].error.kind, "syntax");
    assert.equal(r.attempts[1].ok, true);
    const main = (await requests()).filter((q) => q.model === "main-model");
    assert.equal(main.length, 2);
    const repair = main[1]!.messages.at(-1)!;
    assert.equal(repair.role, "user");
    assert.match(repair.content, /failed at the check step/);
    assert.match(repair.content, /syntax/i);
  });

  test("an import of a tool that does not exist fails the check and is repaired", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [fence(`import { read_fil } from "servers/workspace";\nreturn 1;`), fence("return 2;")],
    });
    const r = await runTask({ task: "Return two" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.equal(r.attempts[0].error.kind, "import");
    assert.match(r.attempts[0].error.message, /read_fil/);
  });

  test("a runtime error goes back to the main model with its message and the second attempt runs", async () => {
    await script({ plan: [PLAN], filter: ["[1]"], main: [fence(`throw new Error("boom 17");`), fence("return 3;")] });
    const r = await runTask({ task: "Return three" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.equal(r.attempts[0].stage, "run");
    assert.match(r.attempts[0].error.message, /boom 17/);
    const main = (await requests()).filter((q) => q.model === "main-model");
    assert.match(main[1]!.messages.at(-1)!.content, /failed at the run step[\s\S]*boom 17/);
  });

  test("max_attempts bounds the attempts and the task fails with the last error", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [fence("return (;"), fence("return (;"), fence("return 1;")],
    });
    const r = await runTask({ task: "Return one", max_attempts: 2 });
    assert.equal(r.outcome, "failed");
    assert.equal(r.isError, true);
    assert.equal(r.attempts.length, 2);
    assert.match(r.error, /no program passed in 2 attempts \(max_attempts\)/);
    assert.equal((await requests()).filter((q) => q.model === "main-model").length, 2);
  });

  test("timeout_ms bounds the whole pipeline, even while a model is still answering", async () => {
    await script({ plan: [{ content: PLAN, delay_ms: 5_000 }] });
    const started = Date.now();
    const r = await runTask({ task: "Return one", timeout_ms: 1_000 });
    assert.equal(r.outcome, "timeout");
    assert.match(r.error, /1000 ms \(timeout_ms\)/);
    assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
  });

  test("the API key is sent to the endpoint only as the bearer token, never in a prompt or the result", async () => {
    await script({ plan: [PLAN], filter: ["[1]"], main: [fence("return 1;")] });
    const r = await runTask({ task: "Return one" });
    assert.equal(r.outcome, "succeeded", r.text);
    const seen = await requests();
    assert.equal(seen.length, 3);
    for (const q of seen) {
      assert.equal(q.authorization, `Bearer ${API_KEY}`);
      assert.ok(!JSON.stringify(q.messages).includes(API_KEY));
      assert.ok(!JSON.stringify(q.messages).includes("MODEL_KEY"));
    }
    assert.ok(!JSON.stringify(r).includes(API_KEY));
  });

  test("an endpoint answering garbage ends the task with a clear model error", async () => {
    await script({ plan: [{ raw: "<html>502 bad gateway</html>" }] });
    const r = await runTask({ task: "Return one" });
    assert.equal(r.outcome, "model_error");
    assert.equal(r.isError, true);
    assert.match(r.error, /plan-model answered with something that is not JSON/);
  });

  test("a main model answering prose instead of code fails after max_attempts with the check error", async () => {
    await script({ plan: [PLAN], filter: ["[1]"], main: ["I cannot help with that.", "Sorry, no."] });
    const r = await runTask({ task: "Return one", max_attempts: 2 });
    assert.equal(r.outcome, "failed");
    assert.equal(r.attempts[1].error.kind, "syntax");
  });

  test("an unparseable filter answer falls back to the search ranking", async () => {
    await script({ plan: [PLAN], filter: ["read_file seems right"], main: [fence("return 1;")] });
    const r = await runTask({ task: "Read the text of the file /notes.txt" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.ok(r.tools.length > 1, JSON.stringify(r.tools));
    assert.ok(r.tools.includes("workspace.read_file"), JSON.stringify(r.tools));
  });

  test("a failed attempt after a call that is not read-only stops the task instead of retrying", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [
        fence(
          `import { write_file } from "servers/workspace";\nawait write_file({ path: "/log.txt", content: "x" });\nthrow new Error("after the write");`,
        ),
        fence("return 1;"),
      ],
    });
    const r = await runTask({ task: "Write a log line" });
    assert.equal(r.outcome, "stopped");
    assert.equal(r.attempts.length, 1);
    assert.match(r.error, /workspace\.write_file, which is not read-only/);
    assert.equal((await requests()).filter((q) => q.model === "main-model").length, 1);
  });

  test("a failed attempt after read-only calls only is retried", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [
        fence(
          `import { read_file } from "servers/workspace";\nawait read_file({ path: "/notes.txt" });\nthrow new Error("after the read");`,
        ),
        fence("return 1;"),
      ],
    });
    const r = await runTask({ task: "Read the notes" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.equal(r.attempts[0].tool_calls[0].read_only, true);
  });

  test("an attempt that needs approval ends the task with approval_required and its handle", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [
        fence(
          `import { delete_file } from "servers/workspace";\nawait delete_file({ path: "/notes-copy.txt" });\nreturn 1;`,
        ),
      ],
    });
    const r = await runTask({ task: "Delete the copy" });
    assert.equal(r.outcome, "approval_required", r.text);
    assert.equal(r.isError, false);
    assert.match(r.approval.handle, /^apr_[0-9a-f]{32}$/);
    assert.equal(r.approval.tool, "delete_file");
  });

  test("save_as saves the program that succeeded as a skill that runs with an empty input", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [
        fence(
          `import { read_file } from "servers/workspace";\nconst text = await read_file({ path: "/notes.txt" });\nreturn text.toUpperCase();`,
        ),
      ],
    });
    const r = await runTask({ task: "Shout the notes", save_as: "shout_notes" });
    assert.equal(r.outcome, "succeeded", r.text);
    assert.deepEqual(r.skill, { name: "shout_notes", version: 1 });
    const skill = await session.data("get_skill", { name: "shout_notes" });
    assert.match(skill.code, /export default async function shout_notes\(/);
    const ran = await session.call("run_skill", { name: "shout_notes" });
    assert.equal((ran.structuredContent as any).result, "HELLO", (ran.content[0] as any).text);
  });

  test("live progress names each step of the pipeline", async () => {
    await script({
      plan: [PLAN],
      filter: ["[1]"],
      main: [
        fence(
          `import { read_file } from "servers/workspace";\nreturn (await read_file({ path: "/notes.txt" })).length;`,
        ),
      ],
    });
    const messages: string[] = [];
    await session.client.callTool(
      { name: "run_task", arguments: { task: "Length of the notes" } },
      CallToolResultSchema,
      {
        onprogress: (p) => {
          messages.push(String(p.message));
        },
      },
    );
    const steps = ["plan", "find tools", "read declarations", "attempt 1: write", "attempt 1: check", "attempt 1: run"];
    for (const s of steps) assert.ok(messages.includes(s), `${s} missing from ${JSON.stringify(messages)}`);
    assert.ok(
      messages.some((m) => /^attempt 1: workspace\.read_file ok/.test(m)),
      JSON.stringify(messages),
    );
  });

  test("with rerank = true, search_tools puts the filter model's pick first and keeps every hit", async () => {
    await script({ filter: ["[3]"] });
    const plain = (await session.data("search_tools", { query: "file" })).tools.map((t: any) => t.name);
    const seen = await requests();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.model, "filter-model");
    // The third candidate as the model saw it: "3. servers/workspace <name>(…".
    const third = /^3\. servers\/workspace (\w+)\(/m.exec(seen[0]!.messages.at(-1)!.content)?.[1];
    assert.ok(third, seen[0]!.messages.at(-1)!.content);
    assert.equal(plain[0], third);
    assert.ok(plain.length >= 3);
  });

  test("servers names an unknown server: the task fails before any model call, listing the servers", async () => {
    await script({});
    const r = await runTask({ task: "Return one", servers: ["nope"] });
    assert.equal(r.outcome, "failed");
    assert.match(r.error, /unknown servers: nope; servers: workspace/);
    assert.equal((await requests()).length, 0);
  });

  test("an invalid save_as is refused before the pipeline starts", async () => {
    await script({});
    const r = await runTask({ task: "Return one", save_as: "Bad Name" });
    assert.equal(r.isError, true);
    assert.match(r.text, /save_as: skill names are/);
    assert.equal((await requests()).length, 0);
  });

  test("a client that cancels run_task stops the pipeline: no model is asked after the cancel", async () => {
    await script({ plan: [{ content: PLAN, delay_ms: 2_000 }], filter: ["[1]"], main: [fence("return 1;")] });
    const controller = new AbortController();
    const call = session.client.callTool(
      { name: "run_task", arguments: { task: "Return one" } },
      CallToolResultSchema,
      {
        signal: controller.signal,
      },
    );
    // Cancelled while the plan model is answering (it answers 2 s after it is asked), not after a fixed wait: on a
    // loaded machine the pipeline may not have asked it yet.
    await until("the plan model to be asked", async () => ((await requests()).length > 0 ? true : undefined));
    controller.abort();
    await assert.rejects(call);
    // Past the point where the plan would have come back and the filter model would have been asked.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(
      (await requests()).map((q) => q.model),
      ["plan-model"],
    );
  });

  test("the main prompt lists the user's skills that match the task, with their import lines", async () => {
    await session.data("save_skill", {
      name: "summarize_notes",
      description: "Summarize the notes file in three bullet points",
      code: "export default async function summarize_notes(input: {}) { return ['a', 'b', 'c']; }",
    });
    await script({ plan: [PLAN], filter: ["[1]"], main: [fence("return 1;")] });
    const r = await runTask({ task: "Summarize the notes file" });
    assert.equal(r.outcome, "succeeded", r.text);
    const main = (await requests()).find((q) => q.model === "main-model")!;
    assert.match(main.messages.at(-1)!.content, /import \{ summarize_notes \} from "skills\/summarize_notes";/);
  });
});
