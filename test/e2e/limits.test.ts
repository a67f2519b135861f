/**
 * Every host-side limit, hit once through the real gateway: each error names the limit and its configured value,
 * and truncation leaves a visible marker instead of failing. Also the concurrency bounds: a session's execution
 * slots and queue, and an upstream's calls in flight.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { GatewayConfigSchema } from "../../src/config";
import { connect, fullTrace, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const LIMITS = {
  execution_timeout_ms: 4_000,
  tool_call_timeout_ms: 800,
  max_tool_calls: 250,
  max_result_bytes: 10_000,
  max_log_bytes: 2_000,
  max_log_lines: 20,
  max_tool_result_bytes: 5_000,
  max_code_bytes: 50_000,
  max_concurrent_executions: 2,
  max_queued_executions: 5,
  max_steps: 2_000_000,
};

let upstream: Upstream;
let gateway: Gateway;
let session: Session;
let counter: Client;

before(async () => {
  upstream = await startNodeUpstream(new URL("../support/slow-upstream.mjs", import.meta.url).pathname, []);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "slow", url: upstream.url, concurrency: 4 },
        // The same server under a second name, with its own per-call timeout.
        { name: "slow2", url: upstream.url, timeout_ms: 300 },
        // And a third allowing many calls in flight, so counting 250 calls takes a few rounds, not 63 (timing-free).
        { name: "wide", url: upstream.url, concurrency: 128 },
      ],
      limits: LIMITS,
    },
  });
  session = await connect(gateway.mcpUrl);
  counter = new Client({ name: "limits-counter", version: "0.0.0" });
  await counter.connect(new StreamableHTTPClientTransport(new URL(upstream.url)));
});

after(async () => {
  await counter?.close().catch(() => {});
  await session?.close().catch(() => {});
  await gateway?.dispose();
  await upstream?.stop();
});

/** Calls a bookkeeping tool of the upstream directly (not through the gateway). */
async function upstreamTool(name: "count" | "reset"): Promise<any> {
  const r = await counter.callTool({ name, arguments: {} });
  const text = (r.content as Array<{ text: string }>)[0]!.text;
  return name === "count" ? JSON.parse(text) : text;
}

test("the documented defaults hold: 30 s per execution, 10 s per tool call, 5,000 calls, 8 isolates per session", () => {
  const { limits } = GatewayConfigSchema.parse({});
  assert.equal(limits.execution_timeout_ms, 30_000);
  assert.equal(limits.tool_call_timeout_ms, 10_000);
  assert.equal(limits.max_tool_calls, 5_000);
  assert.equal(limits.max_concurrent_executions, 8);
});

describe("time limits", () => {
  test("execution_timeout_ms ends a waiting program with an error naming it and its value", async () => {
    const r = await run(session, "await new Promise((resolve) => setTimeout(resolve, 60_000));");
    assert.equal(r.isError, true);
    assert.equal(r.error.kind, "timeout");
    assert.match(r.error.message, /^Execution timed out after 4000 ms \(execution_timeout_ms\)/);
  });

  test("a timeout_ms above execution_timeout_ms is capped by it", async () => {
    const r = await run(session, "await new Promise((resolve) => setTimeout(resolve, 60_000));", {
      timeout_ms: 60_000,
    });
    assert.equal(r.error.kind, "timeout");
    assert.match(
      r.error.message,
      /timed out after 4000 ms \(execution_timeout_ms: the gateway's cap on the 60000 ms you asked for\)/,
    );
  });

  test("a smaller timeout_ms applies and the error says it was the caller's", async () => {
    const r = await run(session, "await new Promise((resolve) => setTimeout(resolve, 60_000));", { timeout_ms: 300 });
    assert.equal(r.error.kind, "timeout");
    assert.match(r.error.message, /timed out after 300 ms \(the timeout_ms you passed\)/);
    assert.ok(r.duration_ms < 2_000, `${r.duration_ms} ms`);
  });

  test("the console's other methods write to the logs, where workerd's own output would lose them", async () => {
    const r = await run(
      session,
      `console.dir({ a: 1 }); console.table([{ b: 2 }]); console.trace("here");
console.assert(1 === 1, "fine"); console.assert(false, "broken", 3);
console.count(); console.count("constructor"); console.count("constructor"); console.countReset("constructor");
console.count("constructor"); console.group("section"); console.groupEnd();
console.time("t"); console.timeEnd("t"); console.timeEnd("t");
return "done";`,
    );
    assert.equal(r.result, "done", r.text);
    assert.equal(r.logs.length, 10, r.logs.join("\n"));
    assert.deepEqual(r.logs.slice(0, 9), [
      '{"a":1}',
      '[{"b":2}]',
      "Trace: here",
      "[error] Assertion failed: broken 3",
      "default: 1",
      "constructor: 1",
      "constructor: 2",
      "constructor: 1",
      "section",
    ]);
    assert.match(r.logs[9], /^t: \d+ ms$/);
  });

  test("a timed-out execution keeps its console output, and the call it awaited is not called un-awaited", async () => {
    const r = await run(
      session,
      `import { sleep } from "servers/slow";
console.log("started");
console.warn("careful");
console.info("noted");
await sleep({ ms: 3_000 });`,
      { timeout_ms: 500 },
    );
    assert.equal(r.error.kind, "timeout");
    // As a finished run's logs write them: console.info keeps its prefix.
    assert.deepEqual(r.logs, ["started", "[warn] careful", "[info] noted"]);
    assert.match(r.text, /\nlogs:\n {2}started\n {2}\[warn\] careful\n {2}\[info\] noted\n/);
    assert.equal(r.tool_calls[0].status, "timeout");
    assert.match(r.tool_calls[0].error, /^still running when the execution timed out; the request was sent/);
  });

  test("tool_call_timeout_ms ends a slow call with status timeout, naming the limit and its value", async () => {
    const r = await run(
      session,
      `import { sleep } from "servers/slow";
try { await sleep({ ms: 3_000 }); } catch (e) { return [e.name, e.message]; }`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result[0], "ToolTimeoutError");
    assert.match(
      r.result[1],
      /^slow\.sleep timed out after 800 ms \(tool_call_timeout_ms\); the request was sent, so it may or may not have taken effect$/,
    );
    assert.deepEqual(
      r.tool_calls.map((c: any) => `${c.server}.${c.tool}:${c.status}`),
      ["slow.sleep:timeout"],
    );
  });

  test("a per-upstream timeout_ms overrides tool_call_timeout_ms and is named in the error", async () => {
    const r = await run(
      session,
      `import { sleep } from "servers/slow2";
try { await sleep({ ms: 3_000 }); } catch (e) { return e.message; }`,
    );
    assert.equal(r.ok, true, r.text);
    assert.match(r.result, /^slow2\.sleep timed out after 300 ms \(timeout_ms of server "slow2"\)/);
    assert.equal(r.tool_calls[0].status, "timeout");
  });

  test("an upstream error that merely mentions a timeout is status error, not timeout", async () => {
    const r = await run(
      session,
      `import { rpc_error } from "servers/slow";
try { await rpc_error({ message: "invalid timeout parameter" }); } catch (e) { return e.message; }`,
    );
    assert.equal(r.ok, true, r.text);
    assert.match(r.result, /^slow\.rpc_error failed: .*invalid timeout parameter/);
    assert.equal(r.tool_calls[0].status, "error");
  });
});

describe("size and count limits", () => {
  test("max_tool_calls rejects the call over the limit without sending it", async () => {
    const before = (await upstreamTool("count")).total;
    const r = await run(
      session,
      `import { echo } from "servers/wide";
const settled = await Promise.allSettled(Array.from({ length: 251 }, (_, i) => echo({ value: i })));
return settled.filter((s) => s.status === "rejected").map((s) => s.reason.message);`,
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, ["tool call limit reached: max_tool_calls is 250 per execution"]);
    const statuses = (await fullTrace(session, r.execution_id)).map((c: any) => c.status);
    assert.equal(statuses.filter((s: string) => s === "ok").length, 250);
    assert.deepEqual(
      statuses.filter((s: string) => s !== "ok"),
      ["rejected"],
    );
    assert.equal((await upstreamTool("count")).total - before, 250, "the 251st call never reached the upstream");
  });

  test("max_result_bytes cuts the result with a marker naming the limit", async () => {
    const r = await run(session, "return 'x'.repeat(50_000);");
    assert.equal(r.ok, true, r.text);
    // The string's own beginning (its JSON text's first 10,000 characters, the opening quote not shown).
    assert.equal(r.result.slice(0, 9_999), "x".repeat(9_999));
    assert.match(
      r.result.slice(9_999),
      /^…\[truncated: the result was 50002 bytes; max_result_bytes is 10000\. Return less, or keep data in the workspace\]$/,
    );
  });

  test("an array result over max_result_bytes shows its JSON's beginning in the text as it is, not quoted", async () => {
    const r = await run(session, "return Array.from({ length: 5_000 }, (_, i) => ({ i, s: 'a\"b' }));");
    assert.equal(r.ok, true, r.text);
    assert.ok(r.result.startsWith('[{"i":0,"s":"a\\"b"}'), r.result.slice(0, 40));
    // The text rendering shows the preview itself: an escaped JSON string of it would be longer than the cap.
    assert.ok(r.text.includes('result (cut at max_result_bytes): [{"i":0,"s":"a\\"b"},'), r.text.slice(0, 200));
    assert.ok(r.text.length < 10_000 + 1_000, `${r.text.length} characters of text`);
  });

  test("max_log_lines stops the logs with a marker naming both log limits", async () => {
    const r = await run(session, "for (let i = 0; i < 100; i++) console.log('line', i);\nreturn 'done';");
    assert.equal(r.result, "done");
    assert.equal(r.logs.length, 21);
    assert.equal(r.logs[19], "line 19");
    assert.match(r.logs[20], /logs truncated: limit 20 lines \/ 2000 bytes \(max_log_lines \/ max_log_bytes\)/);
  });

  test("a timed-out execution whose logs were truncated keeps the marker too", async () => {
    const r = await run(
      session,
      `import { sleep } from "servers/slow";
for (let i = 0; i < 100; i++) console.log("line", i);
await sleep({ ms: 3_000 });`,
      { timeout_ms: 500 },
    );
    assert.equal(r.error.kind, "timeout");
    assert.equal(r.logs.length, 21, JSON.stringify(r.logs));
    assert.equal(r.logs[19], "line 19");
    assert.match(r.logs[20], /logs truncated: limit 20 lines \/ 2000 bytes \(max_log_lines \/ max_log_bytes\)/);
  });

  test("max_log_bytes stops the logs with the same marker", async () => {
    const r = await run(session, "for (let i = 0; i < 5; i++) console.log(String(i).repeat(700));\nreturn 'done';");
    assert.equal(r.logs.length, 3);
    assert.deepEqual(
      r.logs.slice(0, 2).map((l: string) => l.length),
      [700, 700],
    );
    assert.match(r.logs[2], /logs truncated: limit 20 lines \/ 2000 bytes/);
  });

  test("max_tool_result_bytes cuts a text tool result with a marker naming the limit", async () => {
    const r = await run(session, 'import { big } from "servers/slow";\nreturn await big({ bytes: 20_000 });');
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, `${"x".repeat(5_000)}…[truncated: 20000 characters; max_tool_result_bytes is 5000]`);
    assert.equal(r.tool_calls[0].status, "ok");
  });

  test("max_code_bytes refuses larger code before preparing it", async () => {
    const r = await run(session, `return ${JSON.stringify("x".repeat(60_000))}.length;`);
    assert.equal(r.error.kind, "limit");
    assert.match(r.error.message, /code is 60017 bytes, larger than max_code_bytes \(50000\)/);
  });

  test("arguments are validated on the host: the error gives the path and the expectation", async () => {
    const before = (await upstreamTool("count")).total;
    // `as any` gets past the type check, as a program can: the host validates every call regardless.
    const r = await run(
      session,
      'import { typed } from "servers/slow";\nawait typed({ name: "n", count: "3" } as any);',
    );
    assert.equal(r.error.kind, "runtime");
    assert.match(r.error.message, /slow\.typed: invalid arguments: \/count: expected integer, got string/);
    assert.equal(r.tool_calls[0].status, "rejected");
    assert.equal((await upstreamTool("count")).total, before);
  });

  test("a value its enum refuses names the closest allowed one, and the call never reaches the upstream", async () => {
    const before = (await upstreamTool("count")).total;
    const r = await run(
      session,
      'import { typed } from "servers/slow";\nawait typed({ name: "n", order: "Descending" } as any);',
    );
    assert.equal(r.error.kind, "runtime");
    assert.match(
      r.error.message,
      /slow\.typed: invalid arguments: \/order: value is not one of the allowed values: "ascending", "descending" \(did you mean "descending"\?\)/,
    );
    assert.equal(r.tool_calls[0].status, "rejected");
    assert.equal((await upstreamTool("count")).total, before);
  });
});

describe("concurrency", () => {
  test("50 parallel executions in one session: 2 run, 5 wait, the rest get busy-retry; none is lost", async () => {
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        run(session, `import { sleep } from "servers/slow";\nawait sleep({ ms: 300 });\nreturn ${i};`),
      ),
    );
    const done = runs.filter((r) => r.ok);
    const busy = runs.filter((r) => !r.ok);
    assert.equal(done.length + busy.length, 50);
    assert.ok(done.length >= 7, `${done.length} ran`);
    assert.ok(busy.length >= 1, "some were refused");
    for (const [i, r] of runs.entries()) if (r.ok) assert.equal(r.result, i);
    for (const r of busy) {
      assert.equal(r.error.kind, "limit");
      assert.match(
        r.error.message,
        /^busy, retry shortly: this session already runs 2 executions \(max_concurrent_executions\) with 5 waiting \(max_queued_executions\)$/,
      );
    }
    const again = await run(session, "return 'free again';");
    assert.equal(again.result, "free again");
  });

  test("Promise.all over 200 tool calls works with at most 4 in flight to the upstream", async () => {
    // Calls that earlier tests gave up on (timeouts free their slot by design) may still run upstream: let them
    // drain, so the maximum measured here counts only this execution's calls.
    for (let i = 0; i < 100 && (await upstreamTool("count")).in_flight > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    await upstreamTool("reset");
    const r = await run(
      session,
      `import { sleep } from "servers/slow";
const all = await Promise.all(Array.from({ length: 200 }, () => sleep({ ms: 5 })));
return all.length;`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, 200);
    const calls = await fullTrace(session, r.execution_id);
    assert.equal(calls.length, 200);
    assert.ok(calls.every((c: any) => c.status === "ok"));
    const count = await upstreamTool("count");
    assert.equal(count.total, 200);
    assert.equal(count.max_in_flight, 4, "the upstream's concurrency setting bounds the calls in flight");
  });
});
