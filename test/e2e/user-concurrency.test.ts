/**
 * `limits.max_concurrent_executions_per_user`: one user's executions across all their sessions share a fixed
 * number of slots, kept as leases in the user's object (src/user/execution-leases.ts). Over it, an execution waits
 * for a slot (src/user/execution-slots.ts) behind at most `max_queued_executions_per_user` others and for at most
 * `execution_timeout_ms`; past those, or at once with a queue of 0, execute_code answers "busy" naming the setting;
 * other users are unaffected; a running execution renews its lease; a lease whose execution died with the runtime
 * expires after `limits.execution_lease_ms`.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { GatewayConfigSchema } from "../../src/config";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { until } from "../support/until";

const ALICE_KEY = randomBytes(24).toString("base64url");
const BOB_KEY = randomBytes(24).toString("base64url");
const API_KEYS = `alice:${ALICE_KEY} bob:${BOB_KEY}`;
const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** An execution that holds its slot for `ms` without calling anything. */
const hold = (ms: number) => `await new Promise((resolve) => setTimeout(resolve, ${ms}));\nreturn "held";`;
const BUSY =
  /^busy, retry shortly: \d+ executions of this user are already running across its sessions \(limits\.max_concurrent_executions_per_user is 3\)$/;

/**
 * Waits until `n` of the user's executions are running, as `observer` (a session of that user) sees them in
 * list_executions: each has its slot and has started. Waiting for that, not for a fixed time, keeps a loaded machine
 * from sending the next request before the slots are full.
 */
async function untilRunning(observer: Session, n: number): Promise<void> {
  await until(`${n} running executions`, async () => {
    const { executions } = await observer.data("list_executions", { limit: 50 });
    return executions.filter((e: { status?: string }) => e.status === "running").length >= n ? true : undefined;
  });
}

/** Three slots; by default none of the user's executions waits for one (the "busy" answer comes at once). */
function config(leaseMs: number, limits: Record<string, unknown> = {}) {
  return {
    servers: [{ name: "workspace", url: "builtin:workspace" }],
    auth: { mode: "api_keys" },
    limits: {
      execute_rate_limit: { executions: 0, per_seconds: 60 },
      max_concurrent_executions_per_user: 3,
      max_queued_executions_per_user: 0,
      execution_lease_ms: leaseMs,
      execution_timeout_ms: 60_000,
      ...limits,
    },
  };
}

test("by default a user runs 16 executions at once, up to 64 more wait, on leases of 30 s", () => {
  const { limits } = GatewayConfigSchema.parse({});
  assert.equal(limits.max_concurrent_executions_per_user, 16);
  assert.equal(limits.max_queued_executions_per_user, 64);
  assert.equal(limits.execution_lease_ms, 30_000);
});

/** Most executions whose [start, end] intervals overlap at one instant. */
function mostAtOnce(intervals: Array<[number, number]>): number {
  const edges = intervals.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]);
  // An end and a start at the same millisecond do not overlap.
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let now = 0;
  let most = 0;
  for (const [, delta] of edges) {
    now += delta!;
    most = Math.max(most, now);
  }
  return most;
}

/**
 * Starts a gateway with `gatewayConfig` before the enclosing describe block's tests and stops it (and every session
 * opened on it) after them; returns how to open a session as the user with `key`.
 */
function gatewayForBlock(gatewayConfig: Record<string, unknown>) {
  let gateway: Gateway | undefined;
  const sessions: Session[] = [];
  before(async () => {
    gateway = await startGateway({ config: gatewayConfig, vars: { API_KEYS } });
  });
  after(async () => {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})));
    await gateway?.dispose();
  });
  return async (key: string) => {
    const s = await connect(gateway!.mcpUrl, {}, bearer(key));
    sessions.push(s);
    return s;
  };
}

/** How long an execution of the block below may wait for a slot (and run). */
const QUEUE_TIMEOUT_MS = 8_000;

describe("per-user execution slots with a queue", () => {
  const open = gatewayForBlock(
    config(30_000, { max_queued_executions_per_user: 4, execution_timeout_ms: QUEUE_TIMEOUT_MS }),
  );

  test("7 executions from 4 sessions: all finish, never more than 3 at once", async () => {
    const alice = await Promise.all([open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY)]);
    const timed =
      "const started = Date.now();\nawait new Promise((resolve) => setTimeout(resolve, 700));\nreturn [started, Date.now()];";
    const runs = await Promise.all(Array.from({ length: 7 }, (_, i) => run(alice[i % 4]!, timed)));
    assert.ok(
      runs.every((r) => r.ok),
      JSON.stringify(runs.map((r) => r.error?.message ?? r.result)),
    );
    assert.equal(mostAtOnce(runs.map((r) => r.result)), 3);
  });

  test("another user runs at once while one user's slots are full and others of theirs wait", async () => {
    const alice = await Promise.all([1, 2, 3, 4, 5, 6].map(() => open(ALICE_KEY)));
    const bob = await open(BOB_KEY);
    const answered: string[] = [];
    const aliceRuns = alice.slice(0, 5).map((s) =>
      run(s, hold(4_000)).then((r) => {
        answered.push("alice");
        return r;
      }),
    );
    await untilRunning(alice[5]!, 3);
    const bobRuns = await run(bob, "return 'bob';");
    answered.push("bob");
    assert.equal(bobRuns.result, "bob", bobRuns.text);
    assert.deepEqual(answered, ["bob"], "bob did not wait behind alice's queue: he ran while her slots were full");
    assert.ok((await Promise.all(aliceRuns)).every((r) => r.ok));
  });

  test("beyond max_queued_executions_per_user waiting, the next is refused at once, naming both settings", async () => {
    const alice = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map(() => open(ALICE_KEY)));
    const answered: string[] = [];
    const running = alice.slice(0, 3).map((s) =>
      run(s, hold(4_000)).then((r) => {
        answered.push("running");
        return r;
      }),
    );
    await untilRunning(alice[8]!, 3);
    // Five more at once: the first four to reach the user's object wait, the last is refused (whichever it is).
    const more = await Promise.all(
      alice.slice(3, 8).map((s, i) =>
        run(s, `return ${i};`).then((r) => {
          answered.push(r.ok ? "waited" : "refused");
          return r;
        }),
      ),
    );
    const refused = more.filter((r) => !r.ok);
    assert.equal(refused.length, 1, JSON.stringify(more.map((r) => r.error?.message ?? r.result)));
    assert.match(
      refused[0].error?.message ?? "",
      /^busy, retry shortly: 3 executions of this user are already running across its sessions and 4 more are waiting \(limits\.max_concurrent_executions_per_user is 3, limits\.max_queued_executions_per_user is 4\)$/,
      refused[0].text,
    );
    assert.equal(answered[0], "refused", `refused without waiting for a slot: ${answered.join(", ")}`);
    assert.ok((await Promise.all(running)).every((r) => r.ok));
  });

  test("an execution whose client cancels it while it waits for a slot never runs", async () => {
    const alice = await Promise.all([1, 2, 3, 4, 5].map(() => open(ALICE_KEY)));
    const holding = alice.slice(0, 3).map((s) => run(s, hold(2_500)));
    await untilRunning(alice[4]!, 3);
    const cancel = new AbortController();
    const code = `${hold(10).replace('return "held";', "")}return "ran after its client cancelled";`;
    const cancelled = alice[3]!.client
      .callTool({ name: "execute_code", arguments: { code } }, undefined, { signal: cancel.signal })
      .catch((err: Error) => err);
    // Time to reach the queue (one cancelled before it gets there never runs either: the test then proves less).
    await sleep(300);
    cancel.abort();
    assert.ok((await cancelled) instanceof Error);
    assert.ok((await Promise.all(holding)).every((r) => r.ok));
    // Its turn came when the slots were released; give it time to have run.
    await sleep(1_000);
    const { executions } = await alice[0]!.data("list_executions", { limit: 20 });
    const ran = executions.filter((e: { summary: string }) => e.summary.includes("after its client cancelled"));
    assert.deepEqual(ran, []);
  });

  test("an execution waits at most execution_timeout_ms for a slot, then is refused naming both settings", async () => {
    const alice = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => open(ALICE_KEY)));
    // Three hold the slots for 6 s, then three of the four waiting behind them hold them for 6 s more: the fourth
    // in line (whichever reached the queue last) gets no slot before 12 s, past the 8 s it may wait; the three
    // before it wait about 6 s.
    const first = alice.slice(0, 3).map((s) => run(s, hold(6_000)));
    await untilRunning(alice[7]!, 3);
    const next = await Promise.all(alice.slice(3, 7).map((s) => run(s, hold(6_000))));
    const refused = next.filter((r) => !r.ok);
    assert.equal(refused.length, 1, JSON.stringify(next.map((r) => r.error?.message ?? r.result)));
    assert.match(
      refused[0].error?.message ?? "",
      /^busy, retry shortly: waited 8 s for one of this user's 3 execution slots, all still in use by other executions \(limits\.max_concurrent_executions_per_user is 3, limits\.execution_timeout_ms is 8000\)$/,
    );
    assert.ok((await Promise.all(first)).every((r) => r.ok));
  });
});

describe("a long wait for one of the user's slots", () => {
  const open = gatewayForBlock(
    config(30_000, {
      max_concurrent_executions_per_user: 1,
      max_queued_executions_per_user: 1,
      execution_timeout_ms: 20_000,
    }),
  );

  test("sends progress while it waits, so the client's request timeout does not run out", async () => {
    const [holder, waiter, observer] = await Promise.all([1, 2, 3].map(() => open(ALICE_KEY)));
    // Held past the executor's 10 s progress interval, with seconds to spare for the waiter to arrive.
    const holding = run(holder!, hold(14_000));
    await untilRunning(observer!, 1);
    const progress: string[] = [];
    const values: number[] = [];
    const code =
      'import { write_file } from "servers/workspace";\nawait write_file({ path: "/w.txt", content: "x" });\nreturn "after the wait";';
    const waited = await waiter!.client.callTool({ name: "execute_code", arguments: { code } }, undefined, {
      onprogress: (p) => {
        progress.push(String(p.message));
        values.push(p.progress);
      },
      timeout: 30_000,
    });
    assert.equal((waited.structuredContent as any).result, "after the wait", JSON.stringify(waited.content));
    assert.match(progress[0] ?? "", /^waiting for a turn to run \(\d+ s\)/, `no progress while waiting: ${progress}`);
    // The wait's progress and the run's share one counter: values only ever increase (the spec requires it).
    assert.ok(progress.includes("workspace.write_file started"), progress.join("\n"));
    assert.ok(
      values.every((v, i) => i === 0 || v > values[i - 1]!),
      `progress values increase: ${values.join(", ")}`,
    );
    assert.equal((await holding).ok, true);
  });
});

describe("per-user execution slots", () => {
  // A 1 s lease: the executions below outlive it several times, so only renewals keep their slots.
  const open = gatewayForBlock(config(1_000));

  test("8 executions from 4 sessions of one user: 3 run, 5 get the busy error naming the setting", async () => {
    const alice = await Promise.all([open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY)]);
    // Held long enough that all eight reach the user's object before a slot frees, however loaded the machine.
    const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => run(alice[i % 4]!, hold(4_000))));
    const held = runs.filter((r) => r.ok);
    const busy = runs.filter((r) => !r.ok);
    assert.equal(held.length, 3, JSON.stringify(runs.map((r) => r.error?.message ?? r.result)));
    for (const r of busy) {
      assert.equal(r.isError, true);
      assert.equal(r.error.kind, "limit");
      assert.match(r.error.message, BUSY);
    }
    const again = await run(alice[0]!, "return 'free again';");
    assert.equal(again.result, "free again", "the slots are released when the executions end");
  });

  test("another user runs while one user holds every slot", async () => {
    const alice = await Promise.all([open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY)]);
    const bob = await open(BOB_KEY);
    let held = true;
    const holding = Promise.all(alice.slice(0, 3).map((s) => run(s, hold(5_000)))).finally(() => {
      held = false;
    });
    await untilRunning(alice[3]!, 3);
    const refused = await run(alice[3]!, "return 'alice';");
    assert.match(refused.error?.message ?? "", BUSY, refused.text);
    const bobRuns = await run(bob, "return 'bob';");
    assert.equal(bobRuns.result, "bob", bobRuns.text);
    assert.ok(held, "bob ran while alice still held every slot");
    assert.ok((await holding).every((r) => r.ok));
  });

  test("an approve_call refused as busy leaves its handle usable: the retry runs the approved code", async () => {
    const [owner, ...others] = await Promise.all([open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY)]);
    const suspended = await run(
      owner!,
      `import { write_file, delete_file } from "servers/workspace";
await write_file({ path: "/busy.txt", content: "x" });
await delete_file({ path: "/busy.txt" });
return "deleted";`,
    );
    assert.equal(suspended.status, "approval_required", suspended.text);
    const holding = Promise.all(others.map((s) => run(s, hold(4_000))));
    await untilRunning(owner!, 3);
    const refused = await owner!.call("approve_call", { handle: suspended.approval.handle });
    assert.match((refused.structuredContent as any).error.message, BUSY);
    await holding;
    const retried = await owner!.call("approve_call", { handle: suspended.approval.handle });
    assert.equal((retried.structuredContent as any).result, "deleted", (retried.content[0] as any).text);
  });

  test("a running execution keeps its slot past execution_lease_ms by renewing it", async () => {
    const alice = await Promise.all([open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY), open(ALICE_KEY)]);
    // Held long enough that the probe below comes before they end, however loaded the machine.
    const holding = Promise.all(alice.slice(0, 3).map((s) => run(s, hold(7_000))));
    await untilRunning(alice[3]!, 3);
    // Three lease periods later, the first leases would have expired without renewal.
    await sleep(3_000);
    const refused = await run(alice[3]!, "return 'alice';");
    assert.match(refused.error?.message ?? "", BUSY, refused.text);
    assert.ok((await holding).every((r) => r.ok));
  });
});

test("slots held by executions that died with the runtime are free again once their leases expire", async () => {
  const LEASE_MS = 20_000;
  const first = await startGateway({ config: config(LEASE_MS), vars: { API_KEYS }, keepState: true });
  let second: Gateway | undefined;
  try {
    const alice = await Promise.all([1, 2, 3, 4].map(() => connect(first.mcpUrl, {}, bearer(ALICE_KEY))));
    // Three executions that would run for a minute take every slot; then the runtime goes away under them.
    const doomed = alice.slice(0, 3).map((s) => run(s, hold(60_000)).catch((err: Error) => err));
    await untilRunning(alice[3]!, 3);
    await first.dispose();
    const crashedAt = Date.now();
    // Their clients would wait for the SDK's request timeout: closing them ends the requests now.
    await Promise.all(alice.map((a) => a.client.close().catch(() => {})));
    await Promise.all(doomed);

    second = await startGateway({ config: config(LEASE_MS), vars: { API_KEYS }, persistDir: first.persistDir });
    const s = await connect(second.mcpUrl, {}, bearer(ALICE_KEY));
    const refused = await run(s, "return 'too early';");
    // The last renewal came at most a third of a lease before the crash.
    const restartMs = Date.now() - crashedAt;
    assert.ok(
      restartMs < (LEASE_MS * 2) / 3,
      `the restart took ${restartMs} ms, outlasting the leases: this proves nothing`,
    );
    assert.match(refused.error?.message ?? "", BUSY, "the dead executions' leases are still held");

    let freed: any;
    while (Date.now() - crashedAt < LEASE_MS + 10_000) {
      freed = await run(s, "return 'free';");
      if (freed.ok) break;
      await sleep(500);
    }
    assert.equal(freed.result, "free", freed.text);
    await s.close();
  } finally {
    await second?.dispose();
    rmSync(first.persistDir, { recursive: true, force: true });
  }
});
