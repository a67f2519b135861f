/**
 * An upstream on the older HTTP+SSE transport that sends one message over the gateway's 16 MB bound per upstream
 * message. Its answers all come on one event stream, so the gateway cuts that stream: the request waiting for the
 * huge answer fails at once with the error naming the bound (not after its timeout), and the next call connects
 * again. The upstream is a real legacy server on loopback (test/support/huge-sse-upstream.ts).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { type HugeSseUpstream, startHugeSseUpstream } from "../support/huge-sse-upstream";

/** What the upstream sends in place of the answer it was asked for: far over the 16 MB bound. */
const HUGE = 80 * 1024 * 1024;
/** What the gateway may have let the upstream send before hanging up: the bound plus socket buffers. */
const READ_AT_MOST = 40 * 1024 * 1024;
/** Each call's timeout: a refusal that came only with it would take this long. */
const CALL_TIMEOUT_MS = 20_000;
/** How soon a refusal must come: well under the call's timeout and the listing's (15 s). */
const AT_ONCE_MS = 8_000;

let upstream: HugeSseUpstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  upstream = await startHugeSseUpstream(HUGE);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      limits: { tool_call_timeout_ms: CALL_TIMEOUT_MS },
      servers: [
        { name: "legacy", url: upstream.url },
        { name: "legacylist", url: `${upstream.url}?list=huge` },
      ],
    },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

async function servers(): Promise<Record<string, any>> {
  const { servers } = await session.data("list_servers");
  return Object.fromEntries(servers.map((s: any) => [s.name, s]));
}

test("a tools/list over 16 MB on an HTTP+SSE stream is that server's error at once, naming the bound", async () => {
  // The first catalog read lists both servers, and waits for both.
  const started = Date.now();
  const all = await servers();
  const elapsed = Date.now() - started;
  assert.equal(all.legacylist.status, "error", JSON.stringify(all.legacylist));
  assert.match(
    all.legacylist.last_error.message,
    /upstream legacylist answered with a message over 16 MB; refused \(the gateway's limit per upstream message\); the server must list its tools in smaller pages \(nextCursor\)/,
  );
  assert.ok(elapsed < AT_ONCE_MS, `listed after ${elapsed} ms: not at once`);
  const sent = await upstream.sent("tools/list");
  assert.equal(sent.cutOff, true);
  assert.ok(sent.bytes < READ_AT_MOST, `the upstream got to send ${sent.bytes} bytes`);
  assert.equal(all.legacy.status, "ok");
  assert.equal(all.legacy.transport, "sse");
});

test("a tool result over 16 MB on an HTTP+SSE stream fails that call at once, naming the bound", async () => {
  const started = Date.now();
  const r = await run(session, `import { huge } from "servers/legacy";\nreturn await huge({});`);
  const elapsed = Date.now() - started;
  assert.equal(r.ok, false, r.text);
  assert.equal(r.tool_calls.length, 1);
  const [call] = r.tool_calls;
  assert.equal(call.status, "error", call.error);
  assert.equal(
    call.error,
    "legacy.huge failed: upstream legacy answered with a message over 16 MB; refused (the gateway's limit per upstream message); ask the tool for less (filters, pagination)",
  );
  assert.ok(elapsed < AT_ONCE_MS, `refused after ${elapsed} ms: not at once`);

  const sent = await upstream.sent("huge");
  assert.equal(sent.cutOff, true, "the gateway hung up on the upstream");
  assert.ok(sent.bytes < READ_AT_MOST, `the upstream got to send ${sent.bytes} bytes`);
  const all = await servers();
  assert.equal(all.legacy.circuit?.consecutive_failures, 1, "a fault of that server");

  // The stream is gone with the huge message: the next call connects (and initializes) again.
  const next = await run(session, `import { echo } from "servers/legacy";\nreturn await echo({ text: "still here" });`);
  assert.equal(next.ok, true, next.text);
  assert.match(JSON.stringify(next.result), /still here/);
});
