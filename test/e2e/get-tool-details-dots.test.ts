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
