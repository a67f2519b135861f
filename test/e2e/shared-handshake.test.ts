/**
 * Upstream work shared as data (src/registry/shared-handshake.ts): a new session of a user reuses the catalog and
 * the handshake another session made (the 2026-07-28 discover result, the 2025-11-25 initialize result and, for
 * the same user only, the upstream session), each against a real counting upstream.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const COUNTING = fileURLToPath(new URL("../support/counting-upstream.mjs", import.meta.url));
const ALICE = randomBytes(24).toString("base64url");
const BOB = randomBytes(24).toString("base64url");

const upstreams = new Map<string, Upstream>();
let gateway: Gateway;
const open: Session[] = [];

before(async () => {
  for (const mode of ["stateful", "stateless", "modern"])
    upstreams.set(mode, await startNodeUpstream(COUNTING, [mode]));
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      auth: { mode: "api_keys" },
      servers: [...upstreams].map(([mode, u]) => ({ name: mode, url: u.url })),
    },
    vars: { API_KEYS: `alice:${ALICE} bob:${BOB}` },
  });
});
after(async () => {
  await Promise.all(open.map((s) => s.close().catch(() => {})));
  await gateway?.dispose();
  await Promise.all([...upstreams.values()].map((u) => u.stop()));
});

async function session(key: string): Promise<Session> {
  const s = await connect(gateway.mcpUrl, {}, { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  open.push(s);
  return s;
}

type Counts = Record<string, number> & { request_ids: number[] };

async function counts(mode: string): Promise<Counts> {
  const u = upstreams.get(mode)!;
  return (await fetch(new URL("/counts", u.url))).json() as Promise<Counts>;
}

/** What the upstream was asked between two readings of its counts. */
function asked(before: Counts, after: Counts) {
  const n = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  return {
    discover: n("server/discover"),
    initialize: n("initialize"),
    list: n("tools/list"),
    call: n("tools/call"),
    lost: n("lost_sessions"),
  };
}

async function echo(s: Session, mode: string, text: string) {
  const r = await run(
    s,
    `import { echo } from "servers/${mode}"; return await echo({ text: ${JSON.stringify(text)} });`,
  );
  assert.equal(r.ok, true, r.text);
  assert.match(JSON.stringify(r.result), new RegExp(text));
}

/** The first session of the run lists and handshakes with every upstream; later tests measure against it. */
let warmed: Promise<void> | undefined;
function warm(): Promise<void> {
  warmed ??= (async () => {
    const first = await session(ALICE);
    for (const mode of upstreams.keys()) await echo(first, mode, `warm-${mode}`);
  })();
  return warmed;
}

test("a second session of a user calls a 2026-07-28 upstream with no discover probe and no tool listing", async () => {
  await warm();
  const before = await counts("modern");
  await echo(await session(ALICE), "modern", "modern-second");
  assert.deepEqual(asked(before, await counts("modern")), { discover: 0, initialize: 0, list: 0, call: 1, lost: 0 });
});

test("a second session of a user calls a sessionless 2025-11-25 upstream with no probe, initialize or listing", async () => {
  await warm();
  const before = await counts("stateless");
  await echo(await session(ALICE), "stateless", "stateless-second");
  assert.deepEqual(asked(before, await counts("stateless")), { discover: 0, initialize: 0, list: 0, call: 1, lost: 0 });
});

test("a second session of a user reuses the user's upstream session of a stateful 2025-11-25 upstream", async () => {
  await warm();
  const before = await counts("stateful");
  await echo(await session(ALICE), "stateful", "stateful-second");
  assert.deepEqual(asked(before, await counts("stateful")), { discover: 0, initialize: 0, list: 0, call: 1, lost: 0 });
});

test("another user's session opens its own upstream session, skipping only the discover probe", async () => {
  await warm();
  const before = await counts("stateful");
  await echo(await session(BOB), "stateful", "bob-stateful");
  assert.deepEqual(asked(before, await counts("stateful")), { discover: 0, initialize: 1, list: 0, call: 1, lost: 0 });
});

test("sessions sharing one upstream session send distinct request ids when calling at once", async () => {
  await warm();
  const [a, b] = await Promise.all([session(ALICE), session(ALICE)]);
  const before = await counts("stateful");
  const code = `import { echo } from "servers/stateful";
return await Promise.all([1, 2, 3, 4].map((i) => echo({ text: "p" + i })));`;
  const [ra, rb] = await Promise.all([run(a, code), run(b, code)]);
  assert.equal(ra.ok, true, ra.text);
  assert.equal(rb.ok, true, rb.text);
  const after = await counts("stateful");
  assert.equal(asked(before, after).initialize, 0);
  const ids = after.request_ids.slice(before.request_ids.length);
  assert.equal(ids.length, 8);
  assert.equal(new Set(ids).size, 8, `request ids repeat: ${ids.join(", ")}`);
});

test("a shared upstream session the upstream has forgotten is replaced by a new handshake and the call succeeds", async () => {
  await warm();
  await fetch(new URL("/forget-sessions", upstreams.get("stateful")!.url), { method: "POST" });
  const before = await counts("stateful");
  await echo(await session(ALICE), "stateful", "after-restart");
  assert.deepEqual(asked(before, await counts("stateful")), { discover: 0, initialize: 1, list: 0, call: 2, lost: 1 });
  // The new upstream session is what the next session of the user reuses.
  const next = await counts("stateful");
  await echo(await session(ALICE), "stateful", "after-restart-next");
  assert.deepEqual(asked(next, await counts("stateful")), { discover: 0, initialize: 0, list: 0, call: 1, lost: 0 });
});
