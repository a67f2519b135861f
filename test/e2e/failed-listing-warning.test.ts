/**
 * An execution that ran without servers whose listings had not ended says why for each: a server still connecting
 * is being listed in the background, but one whose listing failed is said to have failed, with why and what to do
 * (as list_servers says it), not to be "still being listed": waiting or asking again does not fix it.
 *
 * `broken` answers HTTP 500 to a first session, then hangs; `stuck` lists fine for the first session, then hangs.
 * With `catalog_ttl_ms = 0` a second session lists both again: `broken`, which failed moments ago, is waited for
 * briefly and `stuck`, which never failed, for the full patience (3 s), so the execution explains its wait.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, startGateway } from "../support/gateway";

let gateway: Gateway;
let broken: FaultyUpstream;
let stuck: FaultyUpstream;

before(async () => {
  [broken, stuck] = await Promise.all([
    startFaulty({ "fault-mode": "http-500", "fault-scope": "all" }),
    startFaulty({ "fault-mode": "ok" }),
  ]);
  gateway = await startGateway({
    config: {
      catalog_ttl_ms: 0,
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "broken", url: broken.url },
        { name: "stuck", url: stuck.url },
      ],
    },
  });
});
after(async () => {
  await gateway?.dispose();
  await Promise.all([broken?.stop(), stuck?.stop()]);
});

test("the wait's warning says a server whose listing failed failed, with why, apart from one still connecting", async () => {
  const first = await connect(gateway.mcpUrl);
  try {
    const { servers } = await first.data("list_servers", {});
    const status = (name: string) => servers.find((s: { name: string }) => s.name === name)?.status;
    assert.deepEqual([status("broken"), status("stuck")], ["error", "ok"], JSON.stringify(servers));
  } finally {
    await first.close();
  }
  await Promise.all([broken.set({ mode: "hang", scope: "all" }), stuck.set({ mode: "hang", scope: "all" })]);

  const second = await connect(gateway.mcpUrl);
  try {
    const r = await run(second, "return 1");
    assert.equal(r.result, 1, r.text);
    const waited = (r.warnings ?? []).find((w: { message: string }) => /^waited \d+ ms/.test(w.message))?.message;
    assert.ok(waited, JSON.stringify(r.warnings));
    assert.match(
      waited,
      /; stuck did not answer in time and is still being listed in the background, so this execution ran without it \(list_servers shows its status\); /,
    );
    assert.match(
      waited,
      /; the listing of broken failed \(broken: upstream broken answered HTTP 500[^)]*\), so this execution ran without it too; waiting or asking again will not help until that is fixed: check the server, its URL and its credentials \(list_servers shows the failure; list_servers\(\{ refresh: true \}\) lists it again\)$/,
    );
    assert.doesNotMatch(waited, /broken[^;]* still being listed/);
    // list_servers says the same of each.
    const { servers } = await second.data("list_servers", {});
    const entry = (name: string) => servers.find((s: { name: string }) => s.name === name);
    assert.match(entry("broken").failed, /^failed \d+ s ago: upstream broken answered HTTP 500/);
    assert.equal(entry("stuck").status, "connecting");
  } finally {
    await second.close();
  }
});
