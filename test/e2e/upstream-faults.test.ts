/**
 * Upstream faults end to end: a real fault-injecting MCP server (test/support/faulty-upstream.mjs) misbehaves in
 * each way the threat model lists, and every affected call must fail as a tool error within its time budget while
 * the gateway, the session and the other upstreams stay healthy; one that keeps failing is cut off and retried.
 * One huge message (a tool result or a tools/list of 80 MB, as JSON or as one SSE event) is refused past the
 * gateway's 16 MB bound per upstream message, as that server's failure, without reading the rest.
 */
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { HugeWrites } from "../support/huge-writes";
import { until } from "../support/until";

/** Per-call budget of these tests (tool_call_timeout_ms). */
const CALL_MS = 1_500;
/**
 * Slack for the host's own work around a call, generous for a loaded machine: a call that is not cut off runs into
 * the execution's 30 s timeout (execution_timeout_ms) instead, and a slow drip takes 25 s, both far past it.
 */
const SLACK_MS = 5_000;
const COOLDOWN_MS = 2_000;

let faulty: FaultyUpstream;
let steady: FaultyUpstream;
let flaky: FaultyUpstream;
let gateway: Gateway;
let session: Session;

async function servers(s: Session): Promise<Record<string, any>> {
  const { servers } = await s.data("list_servers");
  return Object.fromEntries(servers.map((x: any) => [x.name, x]));
}

/**
 * list_servers once every server's first listing has ended: list_servers waits only a moment for a listing (then
 * says "connecting"), and a big catalog on a loaded machine takes longer.
 */
function listedServers(s: Session): Promise<Record<string, any>> {
  return until(
    "every server's first listing to end",
    async () => {
      const all = await servers(s);
      return Object.values(all).some((x) => x.status === "connecting") ? undefined : all;
    },
    60_000,
  );
}

/** A normal program touching the built-in server and both network upstreams. */
const NORMAL_PROGRAM = `import { write_file, read_file } from "servers/workspace";
import { echo as faultyEcho } from "servers/faulty";
import { add } from "servers/steady";
await write_file({ path: "/health.txt", content: "fine" });
const read = await read_file({ path: "/health.txt" });
return { read, sum: await add({ a: 2, b: 3 }), echo: await faultyEcho({ text: "back" }) };`;

async function assertHealthy(s: Session) {
  await faulty.set({ mode: "ok" });
  const r = await run(s, NORMAL_PROGRAM);
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result.sum, 5);
  assert.equal(r.result.echo.args.text, "back");
}

before(async () => {
  // One at a time, each assigned at once: if one fails to start, `after` still stops the others.
  faulty = await startFaulty();
  steady = await startFaulty();
  flaky = await startFaulty();
  gateway = await startGateway({
    config: {
      // The test upstreams listen on 127.0.0.1: local development opts in to loopback upstreams.
      network: { allow_loopback: true },
      limits: {
        tool_call_timeout_ms: CALL_MS,
        circuit_breaker_failures: 3,
        circuit_breaker_cooldown_ms: COOLDOWN_MS,
      },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "faulty", url: faulty.url },
        { name: "steady", url: steady.url },
        { name: "flaky", url: flaky.url },
      ],
    },
  });
  session = await connect(gateway.mcpUrl);
  const all = await listedServers(session);
  for (const name of ["workspace", "faulty", "steady", "flaky"]) assert.equal(all[name].status, "ok", name);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await Promise.all([faulty?.stop(), steady?.stop(), flaky?.stop()]);
});

const FAULTS: { mode: string; status: "error" | "timeout"; error: RegExp }[] = [
  { mode: "hang", status: "timeout", error: /faulty\.echo timed out after 1500 ms/ },
  { mode: "slow-drip", status: "timeout", error: /timed out after 1500 ms/ },
  { mode: "crash-sse", status: "timeout", error: /timed out after 1500 ms/ },
  { mode: "wrong-id", status: "timeout", error: /timed out after 1500 ms/ },
  { mode: "crash", status: "error", error: /the connection to upstream faulty failed/ },
  { mode: "http-500", status: "error", error: /upstream faulty answered HTTP 500: simulated internal server error/ },
  { mode: "http-401", status: "error", error: /upstream faulty refused the gateway's credentials \(HTTP 401\)/ },
  { mode: "malformed", status: "error", error: /upstream faulty answered with invalid JSON/ },
  { mode: "not-jsonrpc", status: "error", error: /upstream faulty answered with a message that is not valid JSON-RPC/ },
  { mode: "wrong-content-type", status: "error", error: /upstream faulty answered with the wrong content type/ },
  { mode: "lost-session-always", status: "error", error: /upstream faulty answered HTTP 404/ },
];

describe("each fault surfaces as a tool error within its budget", () => {
  for (const { mode, status, error } of FAULTS) {
    test(`${mode}: the call fails with status ${status}, list_servers shows it, the session keeps working`, async () => {
      await faulty.set({ mode });
      const started = Date.now();
      const r = await run(session, `import { echo } from "servers/faulty";\nreturn await echo({ text: "hi" });`);
      const elapsed = Date.now() - started;

      assert.equal(r.isError, true, r.text);
      assert.equal(r.ok, false);
      assert.equal(r.tool_calls.length, 1);
      const [call] = r.tool_calls;
      assert.equal(call.status, status, call.error);
      assert.match(call.error, error);
      assert.match(r.error.message, error, "the program sees the same error");
      const budget = status === "timeout" ? CALL_MS + SLACK_MS : CALL_MS;
      assert.ok(call.ms < budget, `the call took ${call.ms} ms; budget ${budget} ms`);
      assert.ok(elapsed < CALL_MS + 2 * SLACK_MS, `execute_code took ${elapsed} ms`);

      const all = await servers(session);
      assert.equal(all.faulty.circuit?.consecutive_failures, 1, JSON.stringify(all.faulty));
      assert.equal(all.faulty.circuit.state, "closed");
      assert.match(all.faulty.circuit.last_failure.message, status === "timeout" ? /timed out/i : error);
      assert.equal(all.workspace.status, "ok");
      assert.equal(all.steady.status, "ok");

      await assertHealthy(session);
      assert.equal((await servers(session)).faulty.circuit, undefined, "a success closes the circuit again");
    });
  }
});

test("a lost session is re-established once and the call succeeds", async () => {
  await faulty.set({ mode: "lost-session" });
  const r = await run(session, `import { echo } from "servers/faulty";\nreturn await echo({ text: "again" });`);
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result.args.text, "again");
  const { counts } = await faulty.state();
  assert.equal(counts.initialize, 1, "one new session");
  assert.equal(counts["tools/call"], 2, "the call, then its single retry");
});

test("an upstream that loses every session is retried once, not in a loop", async () => {
  await faulty.set({ mode: "lost-session-always" });
  const r = await run(session, `import { echo } from "servers/faulty";\nreturn await echo({ text: "x" });`);
  assert.equal(r.tool_calls[0].status, "error");
  const { counts } = await faulty.state();
  assert.equal(counts.initialize, 1);
  assert.equal(counts["tools/call"], 2);
  await assertHealthy(session);
});

test("while one upstream hangs, calls to the others in the same program finish at their own pace", async () => {
  await faulty.set({ mode: "hang" });
  const r = await run(
    session,
    `import { echo } from "servers/faulty";
import { add } from "servers/steady";
import { list_directory } from "servers/workspace";
const settled = await Promise.allSettled([echo({ text: "stuck" }), add({ a: 1, b: 1 }), list_directory({ path: "/" })]);
return settled.map((s) => s.status);`,
  );
  assert.equal(r.ok, true, r.text);
  assert.deepEqual(r.result, ["rejected", "fulfilled", "fulfilled"]);
  const byServer = Object.fromEntries(r.tool_calls.map((c: any) => [c.server, c]));
  assert.equal(byServer.faulty.status, "timeout");
  // Started together: the others ended before the hung call was cut off, however slow the machine.
  const end = (c: any) => c.started_ms + c.ms;
  for (const other of [byServer.steady, byServer.workspace]) {
    assert.ok(
      end(other) < end(byServer.faulty),
      `${other.server} waited for the hung call: ${JSON.stringify(r.tool_calls)}`,
    );
  }
  await assertHealthy(session);
});

test("a list_changed storm leaves the gateway responsive", async () => {
  /** A health check, a listing and a program touching both upstreams; how long they took. */
  async function chores(): Promise<number> {
    const started = Date.now();
    const health = await fetch(new URL("/health", gateway.url));
    assert.equal(health.status, 200);
    const all = await servers(session);
    assert.equal(all.steady.status, "ok");
    const r = await run(
      session,
      `import { echo } from "servers/faulty";\nimport { add } from "servers/steady";\nreturn [await echo({ text: "calm" }), await add({ a: 4, b: 4 })];`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result[1], 8);
    return Date.now() - started;
  }
  // The same chores without the storm, on this machine as loaded as it is now.
  const calm = await chores();
  // The storm reaches the gateway over its stream of server messages (the GET stream) to the upstream.
  await until("the gateway's stream of server messages from faulty", async () =>
    (await faulty.state()).streams > 0 ? true : undefined,
  );
  await faulty.set({ mode: "list-changed-storm" });
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const stormy = await chores();
    // An unresponsive gateway takes many times longer; a loaded machine only adds noise to both.
    assert.ok(stormy < 3 * calm + 5_000, `took ${stormy} ms during the storm, ${calm} ms without it`);
  } finally {
    await faulty.set({ mode: "ok" });
  }
  await assertHealthy(session);
});

describe("circuit breaker", () => {
  test("after 3 consecutive failures the upstream is cut off: calls fail fast without reaching it", async () => {
    await flaky.set({ mode: "http-500" });
    const r = await run(
      session,
      `import { echo } from "servers/flaky";
const errors = [];
for (let i = 0; i < 5; i++) {
  try { await echo({ text: String(i) }); } catch (e) { errors.push(e.message); }
}
return errors;`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result.length, 5);
    for (const e of r.result.slice(0, 3)) assert.match(e, /answered HTTP 500/);
    for (const e of r.result.slice(3)) {
      assert.match(e, /upstream flaky is cut off after 3 consecutive failures; retrying after [12] s/);
    }
    // Failing fast: nothing to wait for (that they never reached the upstream is counted below).
    assert.ok(
      r.tool_calls.slice(3).every((c: any) => c.ms < 1_000),
      JSON.stringify(r.tool_calls),
    );
    assert.equal((await flaky.state()).counts["tools/call"], 3, "the cut-off calls never reached the upstream");

    const all = await servers(session);
    assert.equal(all.flaky.circuit.state, "open");
    assert.equal(all.flaky.circuit.consecutive_failures, 3);
    assert.ok(all.flaky.circuit.retry_at);
    assert.equal(all.workspace.status, "ok");
    assert.equal(all.steady.status, "ok");
  });

  test("after the cooldown one trial call goes through, and its success closes the circuit", async () => {
    await flaky.set({ mode: "ok" });
    // Until the gateway says the cooldown is over: the circuit lets one trial call through.
    await until("the cooldown's end", async () =>
      (await servers(session)).flaky.circuit?.state === "half_open" ? true : undefined,
    );
    const r = await run(session, `import { echo } from "servers/flaky";\nreturn await echo({ text: "back" });`);
    assert.equal(r.ok, true, r.text);
    assert.equal((await servers(session)).flaky.circuit, undefined);
  });
});

describe("a 10,000-tool upstream", () => {
  let huge: FaultyUpstream;
  let over: FaultyUpstream;
  let big: Gateway;
  let s: Session;

  before(async () => {
    huge = await startFaulty({ "tool-set": "huge", "tool-count": 10_000 });
    over = await startFaulty({ "tool-set": "huge", "tool-count": 10_001 });
    big = await startGateway({
      config: {
        network: { allow_loopback: true },
        servers: [
          { name: "workspace", url: "builtin:workspace" },
          { name: "huge", url: huge.url },
          { name: "over", url: over.url },
        ],
      },
    });
    s = await connect(big.mcpUrl);
  });
  after(async () => {
    await s?.close();
    await big?.dispose();
    await Promise.all([huge?.stop(), over?.stop()]);
  });

  test("loads its whole catalog; one over the cap is refused with a clear error; the rest keeps working", async () => {
    const all = await listedServers(s);
    assert.equal(all.huge.status, "ok", JSON.stringify(all.huge.last_error));
    assert.equal(all.huge.tool_count, 10_000);
    assert.equal(all.over.status, "error");
    assert.match(all.over.last_error.message, /listed more than 10000 tools; refusing the catalog/);
    assert.equal(all.workspace.status, "ok");
  });

  test("its tools are found by search and callable from code", async () => {
    const details = await s.data("get_tool_details", { tools: ["huge.tool_04242"] });
    const word = /Synthetic tool (\w+) of/.exec(details.tools[0].declaration)![1]!;
    const { tools } = await s.data("search_tools", { query: `synthetic tool ${word}`, server: "huge" });
    assert.equal(tools[0]?.name, "tool_04242", JSON.stringify(tools.slice(0, 3)));
    const r = await run(
      s,
      `import { tool_04242 } from "servers/huge";\nimport { list_directory } from "servers/workspace";\nawait list_directory({ path: "/" });\nreturn await tool_04242({ text: "deep" });`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result.tool, "tool_04242");
  });
});

describe("an upstream that answers one huge message", () => {
  /** What the upstream below sends in place of the message it was asked for: far over the gateway's 16 MB bound. */
  const HUGE = 80 * 1024 * 1024;
  /** What the gateway may have let the upstream send before cancelling: the bound plus socket buffers. */
  const READ_AT_MOST = 40 * 1024 * 1024;
  let upstream: HugeUpstream;
  let big: Gateway;
  let s: Session;

  before(async () => {
    upstream = await startHugeUpstream(HUGE);
    big = await startGateway({
      config: {
        network: { allow_loopback: true },
        limits: { tool_call_timeout_ms: 30_000 },
        servers: [
          { name: "workspace", url: "builtin:workspace" },
          { name: "big", url: upstream.url },
          { name: "biglist", url: `${upstream.url}?list=huge` },
        ],
      },
    });
    s = await connect(big.mcpUrl);
  });
  after(async () => {
    await s?.close();
    await big?.dispose();
    await upstream?.stop();
  });

  /** Runs a call of `tool` on server big expected to be refused for its size, and checks what everyone sees. */
  async function assertRefused(tool: string) {
    const started = Date.now();
    const r = await run(s, `import { ${tool} } from "servers/big";\nreturn await ${tool}({});`);
    assert.equal(r.ok, false, r.text);
    assert.equal(r.tool_calls.length, 1);
    const [call] = r.tool_calls;
    assert.equal(call.status, "error", call.error);
    const refused = new RegExp(
      `big\\.${tool} failed: upstream big answered with a message over 16 MB; refused \\(the gateway's limit per upstream message\\); ask the tool for less \\(filters, pagination\\)`,
    );
    assert.match(call.error, new RegExp(`^${refused.source}$`));
    assert.match(r.error.message, refused, "the program sees the same error");
    assert.ok(Date.now() - started < 20_000, `refused after ${Date.now() - started} ms: not a timeout`);

    const sent = await upstream.sent(tool);
    assert.equal(sent.cutOff, true, "the gateway hung up on the upstream");
    assert.ok(sent.bytes < READ_AT_MOST, `the upstream got to send ${sent.bytes} bytes`);

    const all = await servers(s);
    assert.equal(all.big.circuit?.consecutive_failures, 1, "a fault of that server");
    assert.match(all.big.circuit.last_failure.message, /answered with a message over 16 MB/);

    // The gateway, the session and that server answer the next call as usual.
    const next = await run(
      s,
      `import { echo } from "servers/big";\nimport { list_directory } from "servers/workspace";\nawait list_directory({ path: "/" });\nreturn await echo({ text: "still here" });`,
    );
    assert.equal(next.ok, true, next.text);
    assert.equal(next.result.text, "still here");
    assert.equal((await servers(s)).big.circuit, undefined, "the success closes the circuit again");
  }

  test("a tool result of 80 MB of JSON, chunked without Content-Length, is refused past 16 MB", async () => {
    await assertRefused("huge_json");
  });

  test("a tool result of 80 MB in one event of an event stream is refused past 16 MB, at once", async () => {
    await assertRefused("huge_sse");
  });

  test("a result just over max_tool_result_bytes gets the gateway's own error, not the transport's", async () => {
    const r = await run(s, `import { just_over } from "servers/big";\nreturn await just_over({});`);
    assert.equal(r.ok, false, r.text);
    assert.match(r.tool_calls[0].error, /^big\.just_over returned \d+ bytes, over max_tool_result_bytes \(1048576\)/);
  });

  test("a tools/list of 80 MB is that server's error in list_servers, naming the bound; the others load", async () => {
    const all = await listedServers(s);
    assert.equal(all.biglist.status, "error");
    assert.match(
      all.biglist.last_error.message,
      /upstream biglist answered with a message over 16 MB; refused \(the gateway's limit per upstream message\); the server must list its tools in smaller pages \(nextCursor\)/,
    );
    assert.equal(all.big.status, "ok");
    assert.equal(all.workspace.status, "ok");
    const sent = await upstream.sent("tools/list");
    assert.equal(sent.cutOff, true);
    assert.ok(sent.bytes < READ_AT_MOST, `the upstream got to send ${sent.bytes} bytes`);
  });
});

interface HugeUpstream {
  url: string;
  /** What the upstream wrote of its last huge answer of that kind (a tool's name, or "tools/list"), once it ended. */
  sent(kind: string): Promise<{ bytes: number; cutOff: boolean }>;
  stop(): Promise<void>;
}

/**
 * An MCP server on loopback (the SDK's, stateless, JSON answers) with tools `echo`, `just_over` (a structured
 * result of 1.5 MB), `huge_json` and `huge_sse`; the last two, and tools/list when the URL asks `?list=huge`, are
 * answered by hand with `size` bytes, chunked (no Content-Length), 64 KB at a time, as JSON or as one SSE event.
 */
async function startHugeUpstream(size: number): Promise<HugeUpstream> {
  const TOOLS = ["echo", "just_over", "huge_json", "huge_sse"].map((name) => ({
    name,
    description: `The ${name} tool.`,
    inputSchema: { type: "object" as const, properties: { text: { type: "string" } } },
  }));
  const writes = new HugeWrites();

  async function send(res: ServerResponse, kind: string, type: string, head: string, tail: string) {
    res.writeHead(200, { "content-type": type });
    const filler = kind === "tools/list" ? toolsFiller() : "x".repeat(64 * 1024);
    await writes.send(res, kind, size, { head, filler, tail }, true);
  }

  /** 64 KB of tool definitions, each followed by a comma. */
  function toolsFiller(): string {
    let out = "";
    for (let i = 0; out.length < 64 * 1024; i++) {
      out += `${JSON.stringify({ name: `tool_${i}`, description: "d".repeat(1_000), inputSchema: { type: "object" } })},`;
    }
    return out;
  }

  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const message = text ? JSON.parse(text) : undefined;
    const id = JSON.stringify(message?.id ?? null);
    const hugeList = new URL(req.url ?? "/", "http://x").searchParams.get("list") === "huge";
    if (message?.method === "tools/list" && hugeList) {
      const last = JSON.stringify({ name: "last", inputSchema: { type: "object" } });
      return send(
        res,
        "tools/list",
        "application/json",
        `{"jsonrpc":"2.0","id":${id},"result":{"tools":[`,
        `${last}]}}`,
      );
    }
    const tool = message?.method === "tools/call" ? message.params?.name : undefined;
    if (tool === "huge_json") {
      const head = `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"`;
      return send(res, tool, "application/json", head, `"}]}}`);
    }
    if (tool === "huge_sse") {
      const note = JSON.stringify({
        jsonrpc: "2.0",
        method: "notifications/message",
        params: { level: "info", data: "working" },
      });
      const head = `event: message\ndata: ${note}\n\nevent: message\ndata: {"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"`;
      return send(res, tool, "text/event-stream", head, `"}]}}\n\n`);
    }
    const server = new Server({ name: "huge", version: "1.0.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
    server.setRequestHandler(CallToolRequestSchema, (request) => {
      if (request.params.name === "just_over") {
        const rows = Array.from({ length: 1_500 }, (_, i) => ({ i, pad: "r".repeat(1_000) }));
        return { content: [{ type: "text", text: "rows" }], structuredContent: { rows } };
      }
      return { content: [{ type: "text", text: JSON.stringify(request.params.arguments ?? {}) }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      transport.close().catch(() => {});
      server.close().catch(() => {});
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, message);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String((err as Error)?.message ?? err));
    }
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sent: (kind) => writes.sent(kind),
    async stop() {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
