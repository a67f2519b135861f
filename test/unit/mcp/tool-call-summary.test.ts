import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listToolCalls, MAX_SUMMARY_GROUPS, renderToolCalls } from "../../../src/mcp/tool-call-summary";
import type { ToolCallRecord } from "../../../src/sandbox/execution-types";

function call(tool: string, ms: number, error?: string, server = "workspace"): ToolCallRecord {
  return {
    server,
    tool,
    status: error ? "error" : "ok",
    ok: !error,
    ms,
    started_ms: 0,
    ...(error ? { error } : {}),
  };
}

describe("listToolCalls", () => {
  it("lists a trace of up to 40 records whole", () => {
    const calls = Array.from({ length: 40 }, (_, i) => call("read_file", i));
    assert.deepEqual(listToolCalls(calls), { tool_calls: calls });
  });

  it("lists the first 20, then the later failures, and groups the rest by tool and status", () => {
    const calls = [
      ...Array.from({ length: 20 }, () => call("read_file", 2)),
      call("read_file", 1, "file not found: /a"),
      ...Array.from({ length: 30 }, (_, i) => call("read_file", 1 + (i % 11))),
      call("write_file", 5),
    ];
    const listed = listToolCalls(calls);
    assert.equal(listed.tool_calls.length, 21);
    assert.equal(listed.tool_calls_total, 52);
    assert.deepEqual(listed.tool_calls_summary, [
      { server: "workspace", tool: "read_file", status: "ok", calls: 30, min_ms: 1, max_ms: 11 },
      { server: "workspace", tool: "write_file", status: "ok", calls: 1, min_ms: 5, max_ms: 5 },
    ]);
    assert.deepEqual(renderToolCalls(listed, "exe_1").slice(19), [
      "  workspace.read_file ok 2 ms",
      "  workspace.read_file ok 2 ms",
      "later calls that did not end ok (1 listed):",
      "  workspace.read_file error 1 ms: file not found: /a",
      "the other 31 calls, by tool and status:",
      "  workspace.read_file x30 ok, 1-11 ms",
      "  workspace.write_file x1 ok, 5 ms",
      'full trace: get_execution({ id: "exe_1" })',
    ]);
    assert.equal(renderToolCalls(listed, "exe_1")[0], "tool calls (52; the first 20 listed):");
  });

  it("groups failures past the 20 listed with their first error, and counts a shared refusal's calls", () => {
    const calls = [
      ...Array.from({ length: 20 }, () => call("read_file", 2)),
      ...Array.from({ length: 25 }, (_, i) => call("read_file", 3, `file not found: /f${i}`)),
      { ...call("read_file", 0, "tool call limit reached"), status: "rejected" as const, count: 1_000 },
    ];
    const listed = listToolCalls(calls);
    assert.equal(listed.tool_calls.length, 40);
    assert.equal(listed.tool_calls_total, 1_045);
    assert.deepEqual(renderToolCalls(listed, "exe_2").slice(-4), [
      "the other 1,005 calls, by tool and status:",
      "  workspace.read_file x5 error, 3 ms (first: file not found: /f20)",
      "  workspace.read_file x1,000 rejected, 0 ms (first: tool call limit reached)",
      'full trace: get_execution({ id: "exe_2" })',
    ]);
  });

  it("folds the calls of tools past the group limit into one group per status", () => {
    const calls = Array.from({ length: 20 + MAX_SUMMARY_GROUPS + 30 }, (_, i) => call(`t${i}`, i % 3));
    const summary = listToolCalls(calls).tool_calls_summary ?? [];
    assert.equal(summary.length, MAX_SUMMARY_GROUPS + 1);
    assert.deepEqual(summary.at(-1), {
      server: "*",
      tool: "*",
      status: "ok",
      calls: 30,
      min_ms: 0,
      max_ms: 2,
      tools: 30,
    });
    assert.equal(renderToolCalls(listToolCalls(calls), "exe_3").at(-2), "  30 other tools x30 ok, 0-2 ms");
  });

  it("clips a listed call's long error; the history keeps it whole", () => {
    const [c] = listToolCalls([call("read_file", 1, "x".repeat(5_000))]).tool_calls;
    assert.equal(c?.error, `${"x".repeat(2_000)}…[truncated: 5000 characters]`);
  });
});
