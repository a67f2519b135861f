/**
 * Attacker finding (helper-58): get_tool_details tries every "." of a name as the split between server and tool,
 * and each try looks up the whole prefix, so a name of n dots costs O(n^2) in the session object. A 200 kB name
 * ("a.a.a…") held the gateway's isolate for about a minute locally (80 kB: 10 s; 2 MB: hours), so every other user's
 * requests stalled with it. A name that long can be no tool: the reply must come at once.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Session, withGatewaySession } from "../support/gateway";

let session: Session;
withGatewaySession((_, s) => {
  session = s;
});

test("get_tool_details answers a name of 50,000 dots at once, as not found", async () => {
  const name = "a.".repeat(50_000);
  const started = Date.now();
  const r = (await session.client.callTool({ name: "get_tool_details", arguments: { tools: [name] } }, undefined, {
    timeout: 30_000,
  })) as { isError?: boolean; content: Array<{ text: string }> };
  const ms = Date.now() - started;
  assert.equal(r.isError, true);
  assert.match(r.content[0]!.text, /^no such tool: /);
  assert.ok(ms < 3_000, `get_tool_details took ${ms} ms for a 100 kB name`);
});

test("names not found are echoed cut to 200 characters; a name of dots under the cap is looked up at known servers only", async () => {
  const long = `workspace.${"b.".repeat(400)}`; // 810 characters: under the cap, so looked up (and not found)
  const huge = "c".repeat(5_000);
  const r = await session.data("get_tool_details", { tools: ["workspace.read_file", long, huge] });
  assert.equal(r.tools.length, 1);
  assert.equal(r.tools[0].name, "read_file");
  assert.deepEqual(r.not_found, [
    `${long.slice(0, 200)}… (cut: 810 characters)`,
    `${huge.slice(0, 200)}… (cut: 5,000 characters)`,
  ]);
  const text = (await session.call("get_tool_details", { tools: ["workspace.read_file", huge] })).content[0] as {
    text: string;
  };
  assert.match(
    text.text,
    /not found: c{200}… \(cut: 5,000 characters\) \(longer than 1,100 characters: no tool is named so\)$/,
  );
  assert.ok(text.text.length < 3_000, `reply of ${text.text.length} characters`);
});
