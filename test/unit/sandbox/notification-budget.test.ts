/**
 * The host's notification budget (src/sandbox/notification-budget.ts) and the reading of the sandbox's notification
 * batches (src/sandbox/bridge-notifications.ts): what passes, what is coalesced, and what is announced at the end.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseNotificationBatch } from "../../../src/sandbox/bridge-notifications";
import type { ExecutionEvent } from "../../../src/sandbox/execution-events";
import { eventBytes, NotificationBudget } from "../../../src/sandbox/notification-budget";

const progress = (current: number, message = "x".repeat(100)): ExecutionEvent => ({
  type: "progress",
  current,
  total: 100,
  message,
});

function budgetOf(events: number): { budget: NotificationBudget; sent: ExecutionEvent[] } {
  const sent: ExecutionEvent[] = [];
  return { budget: new NotificationBudget(events * eventBytes(progress(0)), (e) => sent.push(e)), sent };
}

describe("NotificationBudget", () => {
  test("passes events in order while they fit", () => {
    const { budget, sent } = budgetOf(3);
    for (let i = 1; i <= 3; i++) budget.emit(progress(i));
    budget.finish();
    assert.deepEqual(
      sent.map((e) => (e.type === "progress" ? e.current : e.type)),
      [1, 2, 3],
    );
  });

  test("past the budget, sends the last progress value and one announcement at finish, in that order", () => {
    const { budget, sent } = budgetOf(2);
    for (let i = 1; i <= 1_000; i++) budget.emit(progress(i));
    budget.emit({ type: "log", level: "info", line: "dropped too" });
    assert.equal(sent.length, 2);
    budget.finish();
    assert.deepEqual(sent.slice(2, 3), [progress(1_000)]);
    assert.deepEqual(sent[3], {
      type: "dropped",
      events: 999,
      bytes: 998 * eventBytes(progress(0)) + eventBytes({ type: "log", level: "info", line: "dropped too" }),
      limit: 2 * eventBytes(progress(0)),
    });
  });

  test("adds what the sandbox dropped to the announcement, and ignores everything after finish", () => {
    const { budget, sent } = budgetOf(5);
    budget.emit({ type: "dropped", events: 40, bytes: 4_000 });
    budget.finish();
    budget.emit(progress(7));
    assert.deepEqual(sent, [{ type: "dropped", events: 40, bytes: 4_000, limit: 5 * eventBytes(progress(0)) }]);
  });

  test("a later progress value that fits replaces a dropped one: finish sends no stale value", () => {
    const { budget, sent } = budgetOf(2);
    budget.emit(progress(1, "z".repeat(1_000)));
    budget.emit(progress(2));
    budget.finish();
    assert.deepEqual(
      sent.map((e) => (e.type === "progress" ? e.current : e.type)),
      [2, "dropped"],
    );
  });
});

test("past the budget, one still_running notification a second keeps the client's request alive", () => {
  let clock = 0;
  const sent: ExecutionEvent[] = [];
  const budget = new NotificationBudget(
    eventBytes(progress(0)),
    (e) => sent.push(e),
    () => clock,
  );
  budget.emit(progress(1));
  for (let i = 2; i <= 3_000; i++) {
    clock += 1; // one event a millisecond for three seconds
    budget.emit(progress(i));
  }
  assert.deepEqual(
    sent.map((e) => (e.type === "still_running" ? `still ${e.dropped}` : e.type)),
    ["progress", "still 1000", "still 2000"],
  );
});

describe("parseNotificationBatch", () => {
  test("reads logs, progress, refusals and the sandbox's drop count, skipping malformed entries", () => {
    const batch = parseNotificationBatch(
      JSON.stringify({
        events: [
          { type: "refused", server: "s", tool: "t", error: "limit", count: 9 },
          { type: "log", level: "shout", line: "hello" },
          { type: "progress", current: 2, total: "3", message: 5 },
          { type: "dropped", events: 3, bytes: 300 },
          { type: "refused", server: "s", tool: "t", error: "limit", count: -1 },
          { type: "__proto__" },
          null,
          "text",
        ],
      }),
      10_000,
    );
    assert.deepEqual(batch, {
      ok: true,
      events: [
        { type: "log", level: "info", line: "hello" },
        { type: "progress", current: 2 },
        { type: "dropped", events: 3, bytes: 300 },
      ],
      refused: [{ server: "s", tool: "t", error: "limit", count: 9 }],
    });
  });

  test("refuses a batch over its size before parsing it, and one that is not a batch", () => {
    assert.deepEqual(parseNotificationBatch(JSON.stringify({ events: [] }), 5), {
      ok: false,
      error: "notification batch of 13 characters refused",
    });
    assert.deepEqual(parseNotificationBatch("[]", 100), { ok: false, error: "malformed notification batch" });
    assert.deepEqual(parseNotificationBatch("{", 100), { ok: false, error: "malformed notification batch" });
  });
});
