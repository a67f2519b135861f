/**
 * A server that never answers does not hold up a new session: an execution that does not use it, list_servers and
 * search go on without it after the registry's patience (FIRST_LISTING_PATIENCE_MS, 3 s) instead of its whole
 * connect timeout (10 s), and list it as still connecting; code that imports it still waits for its listing and
 * gets the real error. The hanging server is the fault-injecting upstream (test/support/faulty-upstream.mjs) in
 * mode `hang` for every request.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, startGateway } from "../support/gateway";

let gateway: Gateway;
let hanging: FaultyUpstream;

before(async () => {
  hanging = await startFaulty({ "fault-mode": "hang", "fault-scope": "all" });
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "stuck", url: hanging.url },
      ],
    },
  });
});
after(async () => {
  await gateway?.dispose();
  await hanging?.stop();
});

test("a new session's execution that does not use the hanging server runs without waiting for its timeout", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const started = Date.now();
    const r = await run(
      s,
      'import { write_file } from "servers/workspace";\nawait write_file({ path: "/a.txt", content: "1" });\nreturn 1;',
    );
    const ms = Date.now() - started;
    assert.equal(r.result, 1, r.text);
    // Bounded by the patience (3 s), not the hanging server's connect timeout (10 s).
    assert.ok(ms < 8_000, `took ${ms} ms`);
    // The wait is explained in the result, instead of looking like a slow gateway.
    assert.ok(
      r.warnings?.some((w: { message: string }) =>
        /^waited \d+ ms for the servers' first listings; stuck did not answer in time and is still being listed in the background, so this execution ran without it \(list_servers shows its status\)$/.test(
          w.message,
        ),
      ),
      JSON.stringify(r.warnings),
    );
  } finally {
    // Ending the session does not wait out the connection still being made either.
    const closing = Date.now();
    await s.close();
    assert.ok(Date.now() - closing < 5_000, `close took ${Date.now() - closing} ms`);
  }
});

test("list_servers in a new session lists the hanging server as still connecting", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const { servers } = await s.data("list_servers", {});
    const stuck = servers.find((x: { name: string }) => x.name === "stuck");
    assert.equal(stuck.status, "connecting", JSON.stringify(stuck));
    assert.match(
      stuck.connecting,
      /^still connecting: its first listing has taken over 3 s and goes on in the background/,
    );
    // Found slow once: the next read does not wait again while the same listing runs.
    const started = Date.now();
    await s.data("list_servers", {});
    assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
    assert.ok(servers.some((x: { name: string; status: string }) => x.name === "workspace" && x.status === "ok"));
  } finally {
    await s.close();
  }
});

test("search_tools and list_tool_names name the server still connecting instead of answering as if it had no tools", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    // Still connecting while its first listing runs; once that listing has timed out (10 s after the first test
    // started it, which a slow run reaches by now), failed, with why. Either way the reply names the server.
    type Missing = { connecting?: string[]; failed?: Array<{ server: string }> };
    const named = (r: { structuredContent?: unknown }) => {
      const data = r.structuredContent as Missing;
      return [...(data.connecting ?? []), ...(data.failed ?? []).map((f) => f.server)];
    };
    const search = await s.call("search_tools", { query: "write a file" });
    assert.deepEqual(named(search), ["stuck"]);
    assert.match(
      (search.content[0] as { text: string }).text,
      /Still connecting \(their tools are not included yet; ask again shortly\): stuck\.|Failed \(asking again will not help until it is fixed; list_servers shows more\): stuck: /,
    );
    const names = await s.call("list_tool_names", {});
    assert.deepEqual(named(names), ["stuck"]);
  } finally {
    await s.close();
  }
});

test("code that imports the hanging server waits for its listing and gets its error, not 'still connecting'", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    const r = await run(s, 'import { echo } from "servers/stuck";\nreturn await echo({ text: "x" });');
    assert.equal(r.ok, false);
    assert.doesNotMatch(r.error.message, /still connecting/);
    // What happened, not the SDK's "Version negotiation probe timed out after 10000ms".
    assert.match(
      r.error.message,
      /upstream stuck sent no reply to its first request within 10 s \(the MCP version probe\); check that the server is running and that its URL is its MCP endpoint/,
    );
    assert.doesNotMatch(r.error.message, /Version negotiation/);
    // list_servers says what a closed circuit means (calls still go through), in words, and does not repeat the
    // error it shows on the line before.
    const listed = (await s.call("list_servers", {})).content[0] as { text: string };
    assert.match(
      listed.text,
      /\n {2}circuit closed \(calls go through\); \d+ consecutive failures?, opens at \d+(\n|$)/,
    );
    assert.equal(listed.text.split("upstream stuck sent no reply").length - 1, 1, listed.text);
  } finally {
    await s.close();
  }
});

test("once the server has failed, a new session waits for it at most briefly and lists it as failed, with why", async () => {
  const s = await connect(gateway.mcpUrl);
  try {
    // The earlier sessions' listings of `stuck` failed (its circuit counts them, for the user's sessions).
    const r = await run(s, "return 1");
    assert.equal(r.result, 1, r.text);
    assert.ok(!(r.warnings ?? []).some((w: { message: string }) => /waited \d+ ms/.test(w.message)), r.text);
    const { servers } = await s.data("list_servers", {});
    const stuck = servers.find((x: { name: string }) => x.name === "stuck");
    // Failed, not "still connecting": asking again shortly would not help a server that does not answer.
    assert.equal(stuck.status, "error", JSON.stringify(stuck));
    assert.equal(stuck.connecting, undefined);
    assert.match(
      stuck.failed,
      /^failed \d+ s ago: upstream stuck sent no reply.*; asking again will not help until that is fixed/,
    );
    assert.match(stuck.last_error.message, /^upstream stuck sent no reply/);
  } finally {
    await s.close();
  }
});
