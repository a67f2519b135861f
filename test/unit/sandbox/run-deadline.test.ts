/**
 * The execution's timeout (src/sandbox/run-deadline.ts) with real timers: it expires on time, time spent waiting
 * for a human does not count, and when the thread was busy past the deadline (the program's synchronous work, on the
 * thread the timer needs) an answer that arrives right after still wins.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LATE_TIMER_MS, runDeadline } from "../../../src/sandbox/run-deadline";

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {}
};

describe("runDeadline", () => {
  it("expires once the run has had its time", async () => {
    const started = Date.now();
    const deadline = runDeadline(started, 40, () => 0);
    assert.equal(await deadline.expired, "timeout");
    assert.ok(Date.now() - started >= 40);
  });

  it("does not count the time the run waited for a human", async () => {
    const started = Date.now();
    const deadline = runDeadline(started, 30, () => 60);
    assert.equal(await deadline.expired, "timeout");
    assert.ok(Date.now() - started >= 90);
  });

  it("gives an answer that follows a busy thread a moment before the timeout wins", async () => {
    const deadline = runDeadline(Date.now(), 20, () => 0);
    // The thread is held well past the deadline, then the answer arrives on the next turn.
    busy(20 + 3 * LATE_TIMER_MS);
    const answer = new Promise<"answer">((resolve) => setTimeout(() => resolve("answer"), 0));
    assert.equal(await Promise.race([deadline.expired, answer]), "answer");
    assert.equal(await deadline.expired, "timeout");
  });

  it("stops its timer when cancelled", async () => {
    const deadline = runDeadline(Date.now(), 20, () => 0);
    deadline.cancel();
    const later = new Promise<"later">((resolve) => setTimeout(() => resolve("later"), 60));
    assert.equal(await Promise.race([deadline.expired, later]), "later");
  });
});
