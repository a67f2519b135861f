/**
 * The sandbox's bridge gate (worker-loader/bridge-gate.js), run in Node: it bounds the calls in flight, serves the
 * waiting ones first come first served, pauses admissions until a timer fires every 16 crossings, and refuses what
 * still waits when the execution ends. The module keeps per-isolate state, so the tests run in order and each
 * leaves the gate idle.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
// @ts-expect-error plain JavaScript loaded into the sandbox isolate; its .d.ts describes the text import instead.
import { abandonWaiting, configureGate, through, waiting } from "../../../worker-loader/bridge-gate.js";

configureGate(3);

/** A call that stays in flight until released. */
function held(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  const call = through(
    async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    { server: "s", tool: name },
  );
  return { call, release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("at most 3 calls cross at once; the others wait and start in order as slots free", async () => {
  const log: string[] = [];
  const calls = ["a", "b", "c", "d", "e"].map((n) => held(log, n));
  await tick();
  assert.deepEqual(log, ["start a", "start b", "start c"]);
  assert.equal(waiting(), 2);
  calls[1]!.release();
  await tick();
  assert.deepEqual(log.slice(3), ["end b", "start d"]);
  for (const c of calls) c.release();
  assert.deepEqual(await Promise.all(calls.map((c) => c.call)), ["a", "b", "c", "d", "e"]);
  assert.equal(waiting(), 0);
});

test("calls still waiting when the execution ends are refused and reported by label; none of them runs", async () => {
  const log: string[] = [];
  const calls = ["f", "g", "h", "i", "j"].map((n) => held(log, n));
  await tick();
  const refused: string[] = [];
  const ended = new Error("ended");
  abandonWaiting(ended, (label: { tool: string }) => refused.push(label.tool));
  assert.deepEqual(refused, ["i", "j"]);
  await assert.rejects(calls[3]!.call, ended);
  await assert.rejects(calls[4]!.call, ended);
  for (const c of calls) c.release();
  await Promise.all(calls.slice(0, 3).map((c) => c.call));
  assert.deepEqual(
    log.filter((l) => l.startsWith("start")),
    ["start f", "start g", "start h"],
  );
});

test("within 16 crossings the gate pauses until a timer fires, so a chain of calls lets the event loop turn", async () => {
  // Without pauses the chain below runs in microtasks only, and a timer set before it would fire only at its end.
  let fired = false;
  setTimeout(() => {
    fired = true;
  }, 0);
  let beforeTimer = 0;
  for (let i = 0; i < 40; i++) {
    await through(async () => undefined);
    if (!fired) beforeTimer++;
  }
  assert.equal(fired, true);
  assert.ok(beforeTimer <= 16, `${beforeTimer} crossings ran before the timer`);
});
