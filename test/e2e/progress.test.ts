import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, startGateway } from "../support/gateway";

let gateway: Gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => {
  await gateway?.dispose();
});

const PROGRAM = `import { progress } from "gateway";
import { write_file, read_file } from "servers/workspace";
console.log("start");
await progress(1, 3, "one");
await write_file({ path: "/p.txt", content: "x" });
console.warn("middle");
await read_file({ path: "/p.txt" });
await progress(3, 3, "done");
return "finished";`;

test("progress and log notifications arrive in order during an execution; the result is unchanged", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const logs: string[] = [];
    s.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(`${n.params.level}:${n.params.logger}:${n.params.data}`);
    });
    const progress: string[] = [];
    const values: number[] = [];
    const r = (await s.client.callTool({ name: "execute_code", arguments: { code: PROGRAM } }, undefined, {
      onprogress: (p) => {
        progress.push(p.message ?? "");
        values.push(p.progress);
      },
    })) as any;
    assert.equal(r.structuredContent.result, "finished");
    assert.deepEqual(progress, [
      "1/3 one",
      "workspace.write_file started",
      progress.find((m) => m.startsWith("workspace.write_file ok")),
      "workspace.read_file started",
      progress.find((m) => m.startsWith("workspace.read_file ok")),
      "3/3 done",
    ]);
    assert.ok(
      values.every((v, i) => i === 0 || v > values[i - 1]!),
      "progress values increase",
    );
    const consoleLines = logs.filter((l) => l.includes(":console:"));
    assert.deepEqual(consoleLines, ["info:console:start", "warning:console:middle"]);
    const order = ["info:console:start", "info:progress:1/3 one", "warning:console:middle", "info:progress:3/3 done"];
    const positions = order.map((line) => logs.indexOf(line));
    assert.ok(
      positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!)),
      logs.join("\n"),
    );
    assert.ok(logs.some((l) => /^info:tools:workspace\.write_file ok in \d+ ms$/.test(l)));
  } finally {
    await s.close();
  }
});

test("logging/setLevel filters log notifications; a client that ignores notifications gets the same result", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const logs: string[] = [];
    s.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(`${n.params.level}:${n.params.data}`);
    });
    await s.client.setLoggingLevel("warning");
    const r = (await s.client.callTool({ name: "execute_code", arguments: { code: PROGRAM } })) as any;
    assert.equal(r.structuredContent.result, "finished");
    assert.deepEqual(logs, ["warning:middle"]);
    assert.deepEqual(r.structuredContent.logs, ["start", "[warn] middle"]);
  } finally {
    await s.close();
  }
});

test("a loop of tool calls streams a burst, then one summary per tool; counts add up and the history lists every call", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const lines: string[] = [];
    s.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      if (n.params.logger === "tools") lines.push(String(n.params.data));
    });
    const progress: string[] = [];
    const code = `import { read_file, write_file } from "servers/workspace";
await write_file({ path: "/loop.txt", content: "x" });
let n = 0;
for (let i = 0; i < 300; i++) n += (await read_file({ path: "/loop.txt" })).length;
try { await read_file({ path: "/missing.txt" }); } catch {}
return n;`;
    const r = (await s.client.callTool({ name: "execute_code", arguments: { code } }, undefined, {
      onprogress: (p) => progress.push(p.message ?? ""),
    })) as any;
    assert.equal(r.structuredContent.result, 300);
    assert.equal(r.structuredContent.tool_calls_total, 302);
    assert.equal((await s.data("get_execution", { id: r.structuredContent.execution_id })).tool_calls_total, 302);
    // 302 calls would have been 604 lines; a burst of 20 events a second and one summary per tool pass.
    assert.ok(lines.length < 60, `${lines.length} tool lines:\n${lines.join("\n")}`);
    const ended = (tool: string) =>
      lines.filter((l) => l.startsWith(`workspace.${tool} `) && !l.endsWith(" started")).length +
      lines
        .map((l) => new RegExp(`^workspace\\.${tool}: (\\d+) more call\\(s\\) ended`).exec(l))
        .reduce((sum, m) => sum + (m ? Number(m[1]) : 0), 0);
    assert.equal(ended("read_file") + ended("write_file"), 302, lines.join("\n"));
    assert.ok(
      lines.some((l) => /^workspace\.read_file: \d+ more call\(s\) ended, \d+ ok, 1 failed \(first: .*missing/.test(l)),
      lines.join("\n"),
    );
    assert.equal(progress.length, lines.length, "one progress tick per tool line");
  } finally {
    await s.close();
  }
});
