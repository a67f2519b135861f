/**
 * The pacing of tool-call events (src/sandbox/tool-event-pacer.ts): a burst per window passes one by one, the rest
 * becomes one summary per tool, sent before any other event, when the window closes and at the end.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ExecutionEvent } from "../../../src/sandbox/execution-events";
import { TOOL_EVENT_BURST, TOOL_EVENT_WINDOW_MS, ToolEventPacer } from "../../../src/sandbox/tool-event-pacer";

const start = (tool = "read_file", server = "workspace"): ExecutionEvent => ({ type: "tool_start", server, tool });
const end = (tool = "read_file", status: "ok" | "error" = "ok", error?: string): ExecutionEvent => ({
  type: "tool_end",
  server: "workspace",
  tool,
  status,
  ms: 2,
  ...(error ? { error } : {}),
});

function paced() {
  let now = 1_000;
  const sent: ExecutionEvent[] = [];
  const pacer = new ToolEventPacer(
    (e) => sent.push(e),
    () => now,
  );
  return { pacer, sent, advance: (ms: number) => (now += ms) };
}

function calls(pacer: ToolEventPacer, n: number, tool = "read_file"): void {
  for (let i = 0; i < n; i++) {
    pacer.emit(start(tool));
    pacer.emit(end(tool));
  }
}

describe("ToolEventPacer", () => {
  test("a few calls pass one by one, unchanged", () => {
    const { pacer, sent } = paced();
    calls(pacer, 3);
    pacer.finish();
    assert.deepEqual(sent, [start(), end(), start(), end(), start(), end()]);
  });

  test("past the burst, a loop of calls becomes one summary per tool at the end; nothing is lost from the count", () => {
    const { pacer, sent } = paced();
    calls(pacer, 1_000);
    pacer.emit(end("write_file", "error", "disk full"));
    assert.equal(sent.length, TOOL_EVENT_BURST);
    pacer.finish();
    const summaries = sent.slice(TOOL_EVENT_BURST);
    assert.deepEqual(summaries, [
      {
        type: "tool_calls",
        server: "workspace",
        tool: "read_file",
        ended: 1_000 - TOOL_EVENT_BURST / 2,
        failed: 0,
        ms: 2 * (1_000 - TOOL_EVENT_BURST / 2),
      },
      {
        type: "tool_calls",
        server: "workspace",
        tool: "write_file",
        ended: 1,
        failed: 1,
        ms: 2,
        firstError: "disk full",
      },
    ]);
    pacer.emit(end());
    assert.equal(sent.length, TOOL_EVENT_BURST + 2, "nothing after finish");
  });

  test("any other event first sends what was counted, so the client sees everything in order", () => {
    const { pacer, sent } = paced();
    calls(pacer, TOOL_EVENT_BURST);
    pacer.emit({ type: "log", level: "info", line: "between" });
    calls(pacer, 2);
    pacer.finish();
    const kinds = sent.slice(TOOL_EVENT_BURST).map((e) => (e.type === "tool_calls" ? `calls ${e.ended}` : e.type));
    assert.deepEqual(kinds, [`calls ${TOOL_EVENT_BURST / 2}`, "log", "calls 2"]);
  });

  test("a new window passes a new burst after sending the last window's count", () => {
    const { pacer, sent, advance } = paced();
    calls(pacer, TOOL_EVENT_BURST);
    advance(TOOL_EVENT_WINDOW_MS);
    calls(pacer, 1);
    const tail = sent.slice(TOOL_EVENT_BURST);
    assert.deepEqual(
      tail.map((e) => e.type),
      ["tool_calls", "tool_start", "tool_end"],
    );
    pacer.finish();
  });

  test("the window's count goes out when the window closes, with no further event", async () => {
    const sent: ExecutionEvent[] = [];
    const pacer = new ToolEventPacer((e) => sent.push(e));
    calls(pacer, TOOL_EVENT_BURST);
    assert.equal(sent.length, TOOL_EVENT_BURST);
    await new Promise((resolve) => setTimeout(resolve, TOOL_EVENT_WINDOW_MS + 100));
    assert.equal(sent.length, TOOL_EVENT_BURST + 1);
    assert.equal(sent.at(-1)?.type, "tool_calls");
    pacer.finish();
  });

  test("names holding a separator character are not merged: each server and tool pair keeps its own count", () => {
    const { pacer, sent } = paced();
    calls(pacer, TOOL_EVENT_BURST / 2);
    pacer.emit({ type: "tool_end", server: "a\u0000b", tool: "c", status: "ok", ms: 1 });
    pacer.emit({ type: "tool_end", server: "a", tool: "b\u0000c", status: "ok", ms: 1 });
    pacer.finish();
    assert.deepEqual(
      sent.slice(TOOL_EVENT_BURST).map((e) => (e.type === "tool_calls" ? [e.server, e.tool, e.ended] : e.type)),
      [
        ["a\u0000b", "c", 1],
        ["a", "b\u0000c", 1],
      ],
    );
  });

  test("tool names from outside are data: `__proto__` and `constructor` are counted like any name", () => {
    const { pacer, sent } = paced();
    calls(pacer, TOOL_EVENT_BURST / 2);
    calls(pacer, 3, "__proto__");
    calls(pacer, 2, "constructor");
    pacer.finish();
    assert.deepEqual(
      sent.slice(TOOL_EVENT_BURST).map((e) => (e.type === "tool_calls" ? [e.tool, e.ended] : e.type)),
      [
        ["__proto__", 3],
        ["constructor", 2],
      ],
    );
  });
});
