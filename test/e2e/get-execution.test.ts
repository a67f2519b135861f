/**
 * get_execution answers one execution with its tool-call trace a page at a time (src/mcp/execution-page.ts): the
 * reply stays bounded whatever the number of calls (a 2,000-call record used to come back as 547 KB of
 * pretty-printed JSON, and the same again in structuredContent), and the calls that did not end ok can be read
 * alone.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

let gateway: Gateway;
let session: Session;
let id: string;

/** 1 write and 300 reads, of which reads 8, 108 and 208 (calls #10, #110, #210) ask for a file that is not there. */
const MANY_CALLS = `import { write_file, read_file } from "servers/workspace";
await write_file({ path: "/a.txt", content: "a" });
const reads = await Promise.allSettled(
  Array.from({ length: 300 }, (_, i) => read_file({ path: i % 100 === 8 ? "/missing.txt" : "/a.txt" })),
);
console.log("read", reads.length);
return reads.filter((r) => r.status === "rejected").length;`;

before(async () => {
  gateway = await startGateway();
  session = await connect(gateway.mcpUrl);
  const r = await run(session, MANY_CALLS);
  assert.equal(r.result, 3, r.text);
  id = r.execution_id;
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
});

const textOf = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

test("get_execution gives the first 100 calls, the total, where the next page starts, in compact text", async () => {
  const r = await session.call("get_execution", { id });
  const data = r.structuredContent as any;
  assert.equal(data.execution_id, id);
  assert.equal(data.result, 3);
  assert.match(data.code, /Promise\.allSettled/);
  assert.equal(data.tool_calls.length, 100);
  assert.deepEqual([data.tool_calls_total, data.tool_calls_matching, data.next_offset], [301, 301, 100]);
  assert.equal(data.tool_calls[0].tool, "write_file");
  const text = textOf(r);
  const lines = text.split("\n");
  assert.match(lines[0]!, new RegExp(`^${id}: code, started \\S+, session \\S+; ok, \\d+ ms$`));
  assert.ok(lines.includes("result: 3"), text);
  assert.ok(lines.includes("tool calls: 301; #1-100:"), text);
  assert.match(text, /\n {2}#1 workspace\.write_file ok \d+ ms\n/);
  assert.match(text, /\n {2}#10 workspace\.read_file error \d+ ms: .*missing\.txt\n/);
  assert.ok(lines.includes("logs (1 line):"), text);
  assert.ok(lines.includes("code:") && lines.includes('  await write_file({ path: "/a.txt", content: "a" });'), text);
  assert.equal(lines.at(-1), `next page: get_execution({ id: "${id}", offset: 100 })`);
  assert.doesNotMatch(text, /"tool_calls"/, "the text is not the record's JSON");
  assert.ok(text.length < 12_000, `${text.length} characters of text`);
});

test("the next pages follow offset; the last has no next offset", async () => {
  const second = (await session.data("get_execution", { id, offset: 100 })) as any;
  assert.equal(second.tool_calls.length, 100);
  assert.equal(second.next_offset, 200);
  const last = await session.call("get_execution", { id, offset: 250 });
  const data = last.structuredContent as any;
  assert.equal(data.tool_calls.length, 51);
  assert.equal(data.next_offset, undefined);
  assert.match(textOf(last), /\ntool calls: 301; #251-301:\n/);
  assert.doesNotMatch(textOf(last), /next page/);
});

test("failed: true lists only the calls that did not end ok, numbered as in the whole trace", async () => {
  const r = await session.call("get_execution", { id, failed: true });
  const data = r.structuredContent as any;
  assert.deepEqual(
    data.tool_calls.map((c: any) => c.status),
    ["error", "error", "error"],
  );
  assert.deepEqual([data.tool_calls_total, data.tool_calls_matching, data.next_offset], [301, 3, undefined]);
  const text = textOf(r);
  assert.match(
    text,
    /\ntool calls: 301 \(3 did not end ok\); these 3:\n {2}#10 workspace\.read_file error .*\n {2}#110 .*\n {2}#210 /,
  );
});

test("an offset that is not a whole number, 0 or more, is refused saying so", async () => {
  for (const offset of [-1, 1.5]) {
    const r = await session.call("get_execution", { id, offset });
    assert.equal(r.isError, true, String(offset));
    assert.match(textOf(r), /^get_execution: offset must be a whole number, 0 or more$/);
  }
});
