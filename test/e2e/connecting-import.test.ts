/**
 * An execution whose code imports a server still connecting waits for that server's first listing only
 * (src/sandbox/sandbox-modules.ts `catalogFor`, the registry's `waitFor`), not for the other servers still
 * connecting. Two of the user's own servers, both the fault-injecting upstream (test/support/faulty-upstream.mjs):
 * one lists slowly but works (mode `delay` on tools/list, longer than the 3 s first-listing patience), one never
 * answers (mode `hang`, whose listing would end only at the 10 s connect timeout). Both are added while they behave,
 * and the store's copy of their listings is left to age (`catalog_ttl_ms`), so a new session lists both anew.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, startGateway } from "../support/gateway";

/** How late the slow server answers tools/list: past the 3 s patience, well before the 10 s connect timeout. */
const LIST_DELAY_MS = 4_000;
/** How long a stored listing is reused: the new session finds both servers' listings too old and lists them. */
const CATALOG_TTL_MS = 1_000;

let gateway: Gateway;
let slow: FaultyUpstream;
let stuck: FaultyUpstream;

before(async () => {
  [slow, stuck] = await Promise.all([startFaulty({ "delay-ms": LIST_DELAY_MS }), startFaulty()]);
  gateway = await startGateway({ config: { network: { allow_loopback: true }, catalog_ttl_ms: CATALOG_TTL_MS } });
  const adder = await connect(gateway.mcpUrl);
  try {
    for (const [name, upstream] of [
      ["slow", slow],
      ["stuck", stuck],
    ] as const) {
      const added = await adder.data("add_server", { name, url: upstream.url });
      assert.equal(added.status, "connected", JSON.stringify(added));
    }
  } finally {
    await adder.close();
  }
  await slow.set({ mode: "delay", scope: "list" });
  await stuck.set({ mode: "hang", scope: "all" });
  await new Promise((resolve) => setTimeout(resolve, CATALOG_TTL_MS + 200));
});
after(async () => {
  await gateway?.dispose();
  await Promise.all([slow?.stop(), stuck?.stop()]);
});

test("code importing a slow server gets its result once that server is listed, without waiting for a hanging one", async (t) => {
  const s = await connect(gateway.mcpUrl);
  try {
    const started = Date.now();
    const r = await run(s, 'import { echo } from "servers/slow";\nreturn await echo({ text: "hi" });');
    const ms = Date.now() - started;
    t.diagnostic(`answered after ${ms} ms`);
    assert.equal(r.ok, true, r.text);
    assert.equal(r.error, undefined, r.text);
    assert.deepEqual(r.result, { server: "faulty", tool: "echo", args: { text: "hi" } }, r.text);
    // It waited out the slow listing (past the patience) but not the hanging server's, which began with this
    // execution and ends only at its 10 s connect timeout.
    assert.ok(ms >= LIST_DELAY_MS, `answered after ${ms} ms, before the slow server listed`);
    assert.ok(ms < 9_000, `answered after ${ms} ms`);
    // The hanging server was being listed meanwhile, and is named as still connecting; the slow one is not.
    assert.ok(((await stuck.state()).counts.http ?? 0) > 0, "the hanging server was never asked");
    const waited: string[] = (r.warnings ?? []).map((w: { message: string }) => w.message);
    assert.equal(waited.length, 1, JSON.stringify(r.warnings));
    assert.match(
      waited[0] ?? "",
      /^waited \d+ ms for the servers' first listings; stuck did not answer in time and is still being listed in the background, so this execution ran without it/,
    );
  } finally {
    await s.close();
  }
});
