/**
 * An execution's reply is bounded whatever the number of tool calls: the first calls and the later failures are
 * listed, the rest grouped by tool and status, and the history keeps every call (get_execution).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { fullTrace, type Session, withGatewaySession } from "../support/gateway";

const bytes = (v: unknown) => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v));

describe("execute_code's reply over 2,000 tool calls", () => {
  let session: Session;
  withGatewaySession((_, s) => {
    session = s;
  });
  before(async () => {
    await session.data("execute_code", {
      code: 'import { write_file } from "servers/workspace";\nawait write_file({ path: "/r.txt", content: "ab" });',
    });
  });

  test("2,000 read_file calls answer in a few kB of text and structuredContent; the history keeps all 2,000", async () => {
    const code = `import { read_file } from "servers/workspace";
const all = await Promise.all(Array.from({ length: 2000 }, () => read_file({ path: "/r.txt" })));
return all.length;`;
    const reply = await session.call("execute_code", { code });
    const data = reply.structuredContent as any;
    const text = (reply.content[0] as { text: string }).text;
    assert.equal(data.result, 2000, text);
    // Before: 60,169 characters of text (one line per call) and 340 kB of structuredContent (every record).
    assert.ok(bytes(text) < 3_000, `text is ${bytes(text)} bytes:\n${text}`);
    assert.ok(bytes(data) < 8_000, `structuredContent is ${bytes(data)} bytes`);
    assert.equal(data.tool_calls.length, 20);
    assert.equal(data.tool_calls_total, 2000);
    assert.deepEqual(
      data.tool_calls_summary.map((g: any) => [g.server, g.tool, g.status, g.calls, g.min_ms <= g.max_ms]),
      [["workspace", "read_file", "ok", 1980, true]],
    );
    assert.match(text, /^tool calls \(2,000; the first 20 listed\):$/m);
    assert.match(text, /^ {2}workspace\.read_file x1,980 ok, \d+(-\d+)? ms$/m);
    assert.match(text, new RegExp(`^full trace: get_execution\\(\\{ id: "${data.execution_id}" \\}\\)$`, "m"));

    const record = await session.data("get_execution", { id: data.execution_id });
    assert.equal(record.tool_calls_total, 2000);
    assert.equal(record.tool_calls_summary, undefined, "the history holds the trace itself");
    const trace = await fullTrace(session, data.execution_id);
    assert.equal(trace.length, 2000);
    assert.ok(trace.every((c: any) => c.tool === "read_file" && c.status === "ok"));
  });

  test("later failed calls are listed one by one up to 20, then grouped with their first error", async () => {
    // 300 calls in turn (the trace lists calls as they end), every tenth on a missing file: 2 failures among the
    // first 20, 28 later ones (20 listed, 8 grouped).
    const code = `import { read_file } from "servers/workspace";
let failed = 0;
for (let i = 0; i < 300; i++) {
  try { await read_file({ path: i % 10 === 9 ? "/missing-" + i + ".txt" : "/r.txt" }); } catch { failed++; }
}
return failed;`;
    const reply = await session.call("execute_code", { code });
    const data = reply.structuredContent as any;
    const text = (reply.content[0] as { text: string }).text;
    assert.equal(data.result, 30, text);
    assert.equal(data.tool_calls_total, 300);
    assert.equal(data.tool_calls.length, 40);
    assert.deepEqual(
      data.tool_calls.map((c: any) => c.status).filter((s: string) => s === "error").length,
      22,
      "2 failures among the first 20, then 20 later ones",
    );
    assert.ok(data.tool_calls.slice(20).every((c: any) => c.status === "error" && /missing-\d+9\.txt/.test(c.error)));
    const groups = Object.fromEntries(data.tool_calls_summary.map((g: any) => [g.status, g]));
    assert.deepEqual(Object.keys(groups).sort(), ["error", "ok"]);
    assert.equal(groups.ok.calls, 252);
    assert.equal(groups.error.calls, 8);
    assert.match(groups.error.first_error, /missing-2[0-9]9\.txt/);

    assert.match(text, /^later calls that did not end ok \(20 listed\):$/m);
    assert.equal(text.match(/^ {2}workspace\.read_file error \d+ ms: .*missing-\d+\.txt/gm)?.length, 22, text);
    assert.match(text, /^ {2}workspace\.read_file x8 error, \d+(-\d+)? ms \(first: .*missing-2\d9\.txt.*\)$/m);
    assert.match(text, /^ {2}workspace\.read_file x252 ok, /m);

    const calls = await fullTrace(session, data.execution_id);
    assert.equal(calls.length, 300);
    assert.equal(calls.filter((c: any) => c.status === "error").length, 30);
  });
});
