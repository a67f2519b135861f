/**
 * A client that cancels `execute_code` (the SDK sends MCP `notifications/cancelled` when the call's AbortSignal
 * fires, or when it times out) stops the execution: the isolate is stopped like one that timed out, code after the
 * cancel point never runs, and the history lists the execution as cancelled.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, startGateway } from "../support/gateway";
import { until } from "../support/until";

let gateway: Gateway;
before(async () => {
  gateway = await startGateway({ config: { servers: [{ name: "workspace", url: "builtin:workspace" }] } });
});
after(() => gateway?.dispose());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("cancelling a running execution stops it: code after the cancel point never runs, and its record says cancelled", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const code = `import { write_file } from "servers/workspace";
await write_file({ path: "/before.txt", content: "1" });
console.log("wrote before.txt");
await new Promise((resolve) => setTimeout(resolve, 3000));
await write_file({ path: "/after.txt", content: "2" });
return "finished";`;
    // Cancel once the first write is done (its log line streams to the client), not after a fixed wait: on a
    // loaded machine the isolate may not have reached it in a second and a half.
    let wrote: () => void = () => {};
    const firstWrite = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    s.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      if (n.params.data === "wrote before.txt") wrote();
    });
    const controller = new AbortController();
    const call = s.client.callTool({ name: "execute_code", arguments: { code } }, undefined, {
      signal: controller.signal,
    });
    await firstWrite;
    controller.abort(new Error("the user pressed stop"));
    await assert.rejects(call);
    // Past the point where the code would have written /after.txt.
    await sleep(3_000);
    const check = await run(
      s,
      `import { read_file } from "servers/workspace";
const read = async (path) => { try { return await read_file({ path }); } catch { return "missing"; } };
return [await read("/before.txt"), await read("/after.txt")];`,
    );
    assert.deepEqual(check.result, ["1", "missing"], check.text);
    const { executions } = await s.data("list_executions", { limit: 2 });
    const cancelled = await s.data("get_execution", { id: executions[1].execution_id });
    assert.equal(cancelled.error.kind, "cancelled", JSON.stringify(cancelled));
    assert.match(cancelled.error.message, /^cancelled by the client after \d+ ms: 1 tool call\(s\) had completed/);
    // What the program logged before the cancel is kept.
    assert.deepEqual(cancelled.logs, ["wrote before.txt"]);
  } finally {
    await s.close();
  }
});

test("an execution cancelled while it waits for its turn in the run gate never starts and is not recorded", async () => {
  const sessions = await Promise.all(Array.from({ length: 7 }, () => connect(gateway.mcpUrl)));
  const recorded = async () => (await sessions[0]!.data("list_executions", { limit: 100 })).executions.length;
  try {
    const before = await recorded();
    // Six runs fill the isolate's run gate (src/sandbox/run-gate.ts) until their 2 s hold ends.
    const holding = sessions
      .slice(0, 6)
      .map((s) => run(s, "await new Promise((r) => setTimeout(r, 2500));\nreturn 1;"));
    const waiter = sessions[6]!;
    // All six hold their turn (a run is listed as running once it has it) before the seventh asks for one: on a
    // loaded machine a fixed wait let the seventh overtake one of them and run at once.
    await until("six runs holding the gate", async () => {
      const { executions } = await waiter.data("list_executions", { limit: 100 });
      return executions.filter((e: { status?: string }) => e.status === "running").length >= 6 ? true : undefined;
    });
    const controller = new AbortController();
    const call = waiter.client.callTool(
      {
        name: "execute_code",
        arguments: {
          code: 'import { write_file } from "servers/workspace";\nawait write_file({ path: "/gate.txt", content: "ran" });\nreturn 1;',
        },
      },
      undefined,
      { signal: controller.signal },
    );
    await sleep(500);
    controller.abort(new Error("the user pressed stop"));
    await assert.rejects(call);
    assert.ok((await Promise.all(holding)).every((r) => r.ok));
    const check = await run(
      waiter,
      `import { read_file } from "servers/workspace";
try { return await read_file({ path: "/gate.txt" }); } catch { return "missing"; }`,
    );
    assert.equal(check.result, "missing", check.text);
    // The six runs and the check: the cancelled execution left no record.
    assert.equal((await recorded()) - before, 7);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
});
