/**
 * The gateway's own tool surface stays small whatever the upstreams hold (a 1,000-tool upstream here), and
 * `call_tool` exists only when the configuration opts in with `allow_direct_tool_calls`.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { getEncoding } from "js-tiktoken";
import { connect, type Gateway, type Session, startGateway } from "../support/gateway";
import { connectModern } from "../support/modern-client";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));
const TOKEN_BUDGET = 1_000;

let big: Upstream;
let plain: Gateway;
let direct: Gateway;
let plainSession: Session;
let directSession: Session;

const config = (extra: Record<string, unknown>) => ({
  network: { allow_loopback: true },
  servers: [{ name: "big", url: big.url, tools: { deny: ["tool_0999"] }, approval: { tools: { echo: "ask" } } }],
  ...extra,
});

// Built once: getEncoding builds its 200,000-entry rank table on every call (about 3 s of CPU each), and the budget
// check counts every tool's share.
const encoding = getEncoding("o200k_base");

/** Tokens of a tools/list as a model receives it (o200k_base, the GPT-4o family encoding). */
const tokenCount = (tools: unknown[]): number => encoding.encode(JSON.stringify(tools)).length;

async function toolListTokens(s: Session): Promise<number> {
  const { tools } = await s.client.listTools();
  return tokenCount(tools);
}

/** Fails with each tool's share, so a regression says where the tokens went. */
function assertUnderBudget(tools: Array<{ name: string }>): void {
  const tokens = tokenCount(tools);
  const shares = tools.map((t) => `${t.name} ${tokenCount([t])}`).join(", ");
  assert.ok(tokens < TOKEN_BUDGET, `tools/list is ${tokens} tokens: ${shares}`);
}

before(async () => {
  big = await startNodeUpstream(CHANGING, ["--tools", "1000"]);
  [plain, direct] = await Promise.all([
    startGateway({ config: config({}) }),
    startGateway({ config: config({ allow_direct_tool_calls: true }) }),
  ]);
  plainSession = await connect(plain.mcpUrl);
  directSession = await connect(direct.mcpUrl);
});
after(async () => {
  await plainSession?.close();
  await directSession?.close();
  await Promise.all([plain?.dispose(), direct?.dispose()]);
  await big?.stop();
});

test(`tools/list stays under ${TOKEN_BUDGET} tokens with a 1,000-tool upstream`, async () => {
  const { servers } = await plainSession.data("list_servers");
  assert.equal(servers[0].tool_count, 1_001); // echo, add and 1,000 generated, minus one denied
  const tokens = await toolListTokens(plainSession);
  assert.ok(tokens < TOKEN_BUDGET, `tools/list is ${tokens} tokens`);
});

// Every configuration the budget must hold in (#15): both protocol revisions, with and without call_tool, with
// user servers on (add_server, authorize_server, remove_server listed); 2026-07-28 adds the context arguments.
for (const [label, gateway] of [
  ["the default configuration", () => plain],
  ["call_tool enabled", () => direct],
] as const) {
  test(`tools/list for a 2025-11-25 client with ${label} stays under ${TOKEN_BUDGET} tokens`, async () => {
    const session = await connect(gateway().mcpUrl);
    try {
      const { tools } = await session.client.listTools();
      assert.ok(tools.some((t) => t.name === "add_server"));
      assert.equal(
        tools.some((t) => t.name === "call_tool"),
        gateway() === direct,
      );
      assertUnderBudget(tools);
    } finally {
      await session.close();
    }
  });

  test(`tools/list for a 2026-07-28 client with ${label} (context arguments) stays under ${TOKEN_BUDGET} tokens`, async () => {
    const modern = await connectModern(gateway().mcpUrl);
    try {
      const { tools } = await modern.client.listTools();
      assert.ok(tools.some((t) => Object.hasOwn(t.inputSchema.properties ?? {}, "context")));
      assert.ok(tools.some((t) => t.name === "add_server"));
      assert.equal(
        tools.some((t) => t.name === "call_tool"),
        gateway() === direct,
      );
      assertUnderBudget(tools);
    } finally {
      await modern.close();
    }
  });
}

test("call_tool is not listed by default, and calling it is an unknown-tool protocol error", async () => {
  const { tools } = await plainSession.client.listTools();
  assert.ok(!tools.some((t) => t.name === "call_tool"));
  // SDK v2 answers an unknown tool with JSON-RPC -32602 rather than an isError result.
  await assert.rejects(
    plainSession.call("call_tool", { server: "big", tool: "add", arguments: { a: 1, b: 2 } }),
    /-32602.*call_tool/,
  );
});

test("call_tool with allow_direct_tool_calls calls one upstream tool and returns its result", async () => {
  const r = await directSession.call("call_tool", { server: "big", tool: "add", arguments: { a: 1, b: 2 } });
  assert.equal(r.isError, undefined, JSON.stringify(r));
  assert.deepEqual(r.content, [{ type: "text", text: "3" }]);
});

test("call_tool rejects arguments that do not match the tool's schema before calling upstream", async () => {
  const r = await directSession.call("call_tool", { server: "big", tool: "add", arguments: { a: "one", b: 2 } });
  assert.equal(r.isError, true);
  assert.match((r.content[0] as any).text, /\/a: expected number/);
});

test("call_tool refuses a tool on the deny list", async () => {
  const r = await directSession.call("call_tool", { server: "big", tool: "tool_0999", arguments: { id: "1" } });
  assert.equal(r.isError, true);
  assert.match((r.content[0] as any).text, /unknown tool big\.tool_0999/);
});

test("call_tool of a misspelt tool or server names the closest real ones, as an import in code does", async () => {
  const tool = await directSession.call("call_tool", { server: "big", tool: "ad", arguments: { a: 1, b: 2 } });
  assert.equal(tool.isError, true);
  assert.equal(
    (tool.content[0] as any).text,
    'unknown tool big.ad. Did you mean "add"? list_tool_names({ server: "big" }) lists its tools',
  );
  const server = await directSession.call("call_tool", { server: "bigg", tool: "add", arguments: { a: 1, b: 2 } });
  assert.equal(server.isError, true);
  assert.equal((server.content[0] as any).text, 'unknown server "bigg". Did you mean "big"? servers: big');
  // Nothing close: no guess, the list as before.
  const far = await directSession.call("call_tool", { server: "zzzzzz", tool: "add" });
  assert.equal((far.content[0] as any).text, 'unknown server "zzzzzz"; servers: big');
});

test("call_tool refuses a tool whose approval policy is not allow, pointing to execute_code", async () => {
  const r = await directSession.call("call_tool", { server: "big", tool: "echo", arguments: { message: "hi" } });
  assert.equal(r.isError, true);
  assert.match((r.content[0] as any).text, /needs approval: call it from execute_code/);
});
