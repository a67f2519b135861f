/**
 * A 2026-07-28 context's storage does not outlive `limits.session_idle_retention_ms` without a request, as a
 * session's does not (src/session/session-retention.ts): agents start one per task and never delete it. Here the
 * retention is 5 s: an idle context is gone after it (its object stores nothing, its id is refused and no longer
 * listed), one whose execution runs past it is not deleted during the run, and the default context starts afresh.
 * The tests run side by side: each reads only its own contexts, and only the last one uses `default`.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Gateway, startGateway } from "../support/gateway";
import { connectModern, type ModernSession } from "../support/modern-client";
import { storedObjectFile, storedObjects } from "../support/stored-objects";
import { until } from "../support/until";

const RETENTION_MS = 5_000;
/** Past the retention and its 10% slack, with room for the alarm to run. */
const PAST_RETENTION_MS = 8_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SET = 'import { state } from "gateway";\nawait state.set("k", "v");\nconst kept = 1;\nreturn "set";';

let gateway: Gateway;
let m: ModernSession;
before(async () => {
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace" }],
      limits: { session_idle_retention_ms: RETENTION_MS },
    },
  });
  m = await connectModern(gateway.mcpUrl);
});
after(async () => {
  await m?.close();
  await gateway?.dispose();
});

/**
 * Readings of workerd's SQLite files from this process race its own writes: one taken while an object writes can
 * miss the last commit, or fail. So a reading taken right after a request is retried for a while; an idle object
 * reads exactly, so a reading that waits for a deletion that never comes still fails.
 */
const SETTLE_MS = 5_000;

/** A reading, or undefined when it failed. */
function read<T>(reading: () => T): T | undefined {
  try {
    return reading();
  } catch {
    return undefined;
  }
}

/** The SQLite file of the object of the user's `context` (auth is off: the user is `local`), once it holds data. */
function fileOf(context: string): Promise<string> {
  return until(
    `context ${context} stored`,
    async () => read(() => storedObjectFile(gateway.persistDir, "SessionObject", `local:${context}`)),
    SETTLE_MS,
  );
}

/** Waits until the object in `file` reads as holding data (`held`) or as holding nothing. */
async function expectStored(file: string, held: boolean): Promise<void> {
  const holds = () => storedObjects(gateway.persistDir, "SessionObject").includes(file);
  await until(
    `${file} ${held ? "stored" : "deleted"}`,
    async () => (read(holds) === held ? true : undefined),
    SETTLE_MS,
  );
}

/** Starts a context with `state` and a carried variable set, and returns its id and file. */
async function startContext(): Promise<{ context: string; file: string }> {
  const set = await m.data("execute_code", { code: SET, context: "new" });
  assert.equal(set.result, "set");
  return { context: set.context, file: await fileOf(set.context) };
}

/** The user's contexts as list_executions shows them, asked from a fresh context (so `default` is not used). */
async function listedContexts(): Promise<string[]> {
  const listed = await m.data("list_executions", { context: "new" });
  return listed.contexts.map((c: { context: string }) => c.context);
}

describe("contexts idle past the retention", { concurrency: true }, () => {
  test("an idle context's storage is deleted: its id is refused, saying why, and no longer listed", async () => {
    const { context, file } = await startContext();
    assert.ok((await listedContexts()).includes(context));
    await sleep(PAST_RETENTION_MS);
    await expectStored(file, false);
    // The JSON-RPC error, which the SDK client reports as a protocol error with its message.
    await assert.rejects(
      m.call("execute_code", { code: 'return "ran";', context }),
      (err: Error & { code?: unknown }) => {
        assert.equal(err.code, -32602, String(err));
        assert.match(
          err.message,
          new RegExp(`unknown context ${context} \\(contexts are deleted after 5 seconds without a request\\)`),
        );
        return true;
      },
    );
    // The refused request stored nothing again.
    await expectStored(file, false);
    assert.equal((await listedContexts()).includes(context), false);
  });

  test("a context whose execution runs past the retention keeps its storage, while one idle beside it goes", async () => {
    const busy = await startContext();
    const idle = await startContext();
    const run = await m.data("execute_code", {
      code: `import { state } from "gateway";\nawait new Promise((r) => setTimeout(r, ${PAST_RETENTION_MS}));\nreturn [await state.get("k"), kept];`,
      context: busy.context,
      timeout_ms: 20_000,
    });
    assert.deepEqual(run.result, ["v", 1]);
    // The alarms did run meanwhile: the context started with it and left idle is gone.
    await expectStored(idle.file, false);
    await expectStored(busy.file, true);
    const again = await m.data("execute_code", {
      code: 'import { state } from "gateway";\nreturn await state.get("k");',
      context: busy.context,
    });
    assert.equal(again.result, "v");
  });

  test("the default context, idle past the retention, starts afresh on its next request", async () => {
    const set = await m.data("execute_code", { code: SET });
    assert.equal(set.context, "default");
    const file = await fileOf("default");
    await sleep(PAST_RETENTION_MS);
    await expectStored(file, false);
    assert.equal((await listedContexts()).includes("default"), false);
    // Its state, carried variables and last result are gone, and it stores and lists them again.
    const fresh = await m.data("execute_code", {
      code: 'import { state } from "gateway";\nconst before = [await state.get("k") ?? null, typeof kept, await state.last()];\nawait state.set("k", "again");\nreturn [...before, await state.get("k")];',
    });
    assert.equal(fresh.context, "default");
    assert.deepEqual(fresh.result, [null, "undefined", null, "again"]);
    await expectStored(file, true);
    assert.ok((await listedContexts()).includes("default"));
  });
});
