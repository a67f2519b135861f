import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GateFullError, RunGate } from "../../../src/sandbox/run-gate";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Admits `user` and records the order in which admissions happen. */
function admitInto(gate: RunGate, user: string, order: string[]) {
  return gate.admit(user).then((release) => {
    order.push(user);
    return release;
  });
}

describe("run gate", () => {
  test("no more runs than its capacity hold a slot at once", async () => {
    const gate = new RunGate(2, 60_000);
    const order: string[] = [];
    const a = await admitInto(gate, "u", order);
    const b = await admitInto(gate, "u", order);
    const third = admitInto(gate, "u", order);
    await tick();
    assert.deepEqual([gate.held, gate.waiting, order.length], [2, 1, 2]);
    a();
    const release = await third;
    assert.deepEqual([gate.held, gate.waiting, order.length], [2, 0, 3]);
    release();
    b();
  });

  test("a freed slot goes to the waiting user with fewer runs, ahead of a user who queued many earlier", async () => {
    const gate = new RunGate(2, 60_000);
    const order: string[] = [];
    const first = await admitInto(gate, "heavy", order);
    const second = await admitInto(gate, "heavy", order);
    const heavyWaiting = [admitInto(gate, "heavy", order), admitInto(gate, "heavy", order)];
    const light = admitInto(gate, "light", order);
    await tick();
    first();
    (await light)();
    second();
    for (const w of heavyWaiting) (await w)();
    assert.deepEqual(order, ["heavy", "heavy", "light", "heavy", "heavy"]);
  });

  test("users with equal runs in progress take turns", async () => {
    const gate = new RunGate(1, 60_000);
    const order: string[] = [];
    const holder = await admitInto(gate, "x", order);
    const waiting = [
      admitInto(gate, "a", order),
      admitInto(gate, "a", order),
      admitInto(gate, "b", order),
      admitInto(gate, "b", order),
    ];
    await tick();
    holder();
    for (const w of [waiting[0]!, waiting[2]!, waiting[1]!, waiting[3]!]) (await w)();
    assert.deepEqual(order, ["x", "a", "b", "a", "b"]);
  });

  test("alone a user has every slot; beside another active user it holds at most an equal share", async () => {
    const gate = new RunGate(4, 60_000, 100, 60_000);
    const heavy: Array<() => void> = [];
    for (let i = 0; i < 4; i++) heavy.push(await gate.admit("heavy"));
    assert.equal(gate.held, 4, "alone, the heavy user took all four slots");
    const order: string[] = [];
    const light = admitInto(gate, "light", order);
    const moreHeavy = [admitInto(gate, "heavy", order), admitInto(gate, "heavy", order)];
    await tick();
    heavy.pop()!();
    const lightRelease = await light;
    heavy.pop()!();
    await tick();
    // The heavy user holds 2 of 4 slots: its share while the light user is active. The freed slot stays free.
    assert.deepEqual([gate.held, gate.waiting, order], [3, 2, ["light"]]);
    // A second light run may take it: the light user holds 1, under its share.
    const secondLight = await gate.admit("light");
    assert.equal(gate.held, 4);
    secondLight();
    lightRelease();
    heavy.pop()!();
    heavy.pop()!();
    for (const w of moreHeavy) (await w)();
    assert.deepEqual(order, ["light", "heavy", "heavy"]);
    assert.equal(gate.held, 0);
  });

  test("a user who stopped asking stops counting, and the slots held back for them go to those waiting", async () => {
    const gate = new RunGate(2, 60_000, 100, 30);
    (await gate.admit("light"))();
    const first = await gate.admit("heavy");
    const second = gate.admit("heavy");
    await tick();
    assert.deepEqual([gate.held, gate.waiting], [1, 1], "the light user is still active: one slot each");
    // The waiter re-checks on its own timer (500 ms) once the light user has been idle for 30 ms.
    const started = Date.now();
    const release = await second;
    assert.ok(Date.now() - started < 2_000);
    assert.equal(gate.held, 2);
    release();
    first();
  });

  test("a run stops counting after the longest hold, so a stalled one cannot keep others out", async () => {
    const gate = new RunGate(1, 30);
    await gate.admit("stalled");
    const started = Date.now();
    const release = await gate.admit("other");
    assert.ok(Date.now() - started >= 25, "the second run waited for the hold to expire");
    release();
    assert.equal(gate.held, 0);
  });

  test("a slot whose hold timer never fired (its context was aborted) is reclaimed by the next admission", async () => {
    const realSetTimeout = globalThis.setTimeout;
    const gate = new RunGate(1, 30);
    // The holder's timers never fire, as in a Durable Object whose request was aborted.
    globalThis.setTimeout = (() => 0) as unknown as typeof setTimeout;
    try {
      await gate.admit("vanished");
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
    const release = await gate.admit("other");
    assert.equal(gate.held, 1);
    release();
    assert.equal(gate.held, 0);
  });

  test("past the queue limit a run is refused at once with a message that says to retry", async () => {
    const gate = new RunGate(1, 60_000, 1);
    const holder = await gate.admit("u");
    const queued = gate.admit("u");
    await assert.rejects(gate.admit("v"), (err: Error) => {
      assert.ok(err instanceof GateFullError);
      assert.match(err.message, /the gateway is busy: 1 executions are running and 1 are waiting to start; try again/);
      return true;
    });
    holder();
    (await queued)();
  });

  test("releasing twice frees one slot", async () => {
    const gate = new RunGate(2, 60_000);
    const release = await gate.admit("u");
    const other = await gate.admit("u");
    release();
    release();
    assert.equal(gate.held, 1);
    other();
  });
  test("a slot granted to a waiter whose context never resumes is reclaimed after the longest hold", async () => {
    const realSetTimeout = globalThis.setTimeout;
    const gate = new RunGate(1, 30);
    const holder = await gate.admit("holder");
    // The waiter's object was reset while it waited: neither its re-check timer nor its wake-up call ever runs.
    globalThis.setTimeout = (() => 0) as unknown as typeof setTimeout;
    try {
      void gate.admit("vanished", "gone", () => {});
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    holder();
    assert.deepEqual([gate.held, gate.waiting], [1, 0], "the slot went to the vanished waiter");
    const started = Date.now();
    const release = await Promise.race([
      gate.admit("other"),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the slot never came back")), 3_000)),
    ]);
    assert.ok(Date.now() - started < 1_500);
    release();
    assert.equal(gate.held, 0);
  });
});
