/**
 * Attacker finding (helper-58): execute_code's reply lists every top-level variable it did not keep, one line each
 * in the text and one entry each in structuredContent.scope.dropped, with no bound. The scope keeps at most
 * limits.max_scope_names (1,000) names, so a program declaring many (`let _0, _1, …`) gets a line for each evicted one:
 * a 250 kB program (49,665 names) got a 9.8 MB reply (4.4 MB of text, 48,671 lines). The tool-call trace was bounded
 * for the same reason (src/mcp/tool-call-summary.ts); the dropped-variable list needs the same: the first few, then
 * a count per reason.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Session, withGatewaySession } from "../support/gateway";

let session: Session;
withGatewaySession((_, s) => {
  session = s;
});

test("a program of 6,000 top-level names gets a bounded reply", async () => {
  const names = Array.from({ length: 6_000 }, (_, i) => `_${i.toString(36)}`);
  const code = `let ${names.join(", ")};\nreturn 1;`;
  const r = await session.call("execute_code", { code });
  assert.notEqual(r.isError, true, JSON.stringify(r.content).slice(0, 500));
  const text = (r.content[0] as { text: string }).text;
  assert.match(text, /variables not kept for the next execution/);
  const structured = JSON.stringify(r.structuredContent);
  assert.ok(
    text.length < 20_000,
    `the reply's text is ${text.length} characters for a ${code.length}-character program`,
  );
  assert.ok(structured.length < 40_000, `structuredContent is ${structured.length} characters`);
  // The first 20 by name, then the rest counted per reason: 5,000 evicted over max_scope_names (1,000).
  const scope = (r.structuredContent as { scope: Record<string, any> }).scope;
  assert.equal(scope.dropped.length, 20);
  assert.equal(scope.dropped_total, 5_000);
  assert.equal(scope.kept.length, 1_000);
  assert.deepEqual(scope.dropped_more, [
    { reason: "evicted, oldest first: the scope holds at most 1000 names (limits.max_scope_names)", count: 4_980 },
  ]);
  assert.match(text, /\n {2}_0: evicted, oldest first/);
  assert.match(text, /\n {2}and 4,980 more: 4,980 evicted, oldest first: the scope holds at most 1000 names/);
});
