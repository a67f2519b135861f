/**
 * What a user reads when an upstream they add cannot be used (src/registry/upstream-errors.ts): a wrong path names
 * the HTTP status, the request and the fix, without the server's HTML page; a server that is not running says so.
 * Through add_server and list_servers, against a real upstream (`@modelcontextprotocol/server-everything`, whose
 * Express answers an unknown path with an HTML page) and a port that closes every connection.
 */
import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Server } from "node:net";
import { after, before, test } from "node:test";
import { startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startEverything, type Upstream } from "../support/upstreams";

let gateway: Gateway;
let session: Session;
let everything: Upstream;
/** A port held by this process that closes every connection (a free port could be taken by another test). */
let down: Server;

before(async () => {
  down = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
  everything = await startEverything();
  gateway = await startGateway({
    config: { network: { allow_loopback: true }, servers: [{ name: "workspace", url: "builtin:workspace" }] },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await everything?.stop();
  down?.close();
});

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

test("a server added at a wrong path names the status, the request and the fix, without HTML or the query", async () => {
  const wrong = `http://127.0.0.1:${everything.port}/mpc`;
  const added = await session.data("add_server", { name: "wrongpath", url: `${wrong}?key=s3cr3t-in-query` });
  assert.equal(added.status, "error");
  assert.equal(
    added.error,
    `upstream wrongpath answered HTTP 404 to POST ${wrong} ("Cannot POST /mpc"), and the same to the GET of the older HTTP+SSE transport: check the URL's path (MCP servers usually serve /mcp)`,
  );
  const listed = text(await session.call("list_servers", {}));
  const block = listed.slice(listed.indexOf("wrongpath ("));
  assert.doesNotMatch(listed, /<|s3cr3t/);
  assert.equal(block.split("answered HTTP 404").length - 1, 1, `the error is shown once:\n${block}`);
  assert.match(block, /\n {2}error: upstream wrongpath answered HTTP 404 to POST /);
  // The gateway's default failure_threshold is 5; the circuit line does not repeat the error above it.
  assert.match(block, /\n {2}circuit closed \(calls go through\); 1 consecutive failure, opens at 5$/);
});

test("a server that is not running says it could not connect and asks whether it runs", async () => {
  const { port } = down.address() as AddressInfo;
  const added = await session.data("add_server", { name: "away", url: `http://127.0.0.1:${port}/mcp` });
  assert.equal(added.status, "error");
  assert.equal(
    added.error,
    `could not connect to upstream away at 127.0.0.1:${port} (connection refused or closed); is the server running?`,
  );
  // list_servers says it once: no "auth (none): error: ..." line repeating the error of a server without sign-in.
  const listed = text(await session.call("list_servers", {}));
  const block = listed.slice(listed.indexOf("away ("));
  assert.equal(block.split("could not connect to upstream away").length - 1, 1, `the error is shown once:\n${block}`);
  assert.doesNotMatch(block, /auth \(none\)/);
});

test("a tool call to a server that went down since it was listed words it as list_servers does, with what to do", async () => {
  const code = 'import { echo } from "servers/gone";\nreturn await echo({ text: "hi" });';
  const upstream = await startFaulty();
  try {
    const added = await session.data("add_server", { name: "gone", url: upstream.url });
    assert.equal(added.status, "connected", JSON.stringify(added));
    assert.equal((await run(session, code)).ok, true);
  } finally {
    await upstream.stop();
  }
  const r = await run(session, code);
  assert.equal(r.ok, false);
  const reason =
    'the connection to upstream gone failed: connection refused or closed (the runtime said "Network connection lost.")';
  const advice =
    "The server may be down or restarting: list_servers shows its status; retry once it is back (a call the server had already received may or may not have taken effect).";
  // The trace and the program's error say the same: the server, what happened, what to do; the runtime's words kept.
  assert.equal(r.tool_calls[0].error, `gone.echo failed: ${reason}. ${advice}`);
  assert.equal(r.error.message, `ToolError: gone.echo failed: ${reason}. ${advice} (at line 2 of your code)`);
  // list_servers names the same failure, without the advice.
  const listed = text(await session.call("list_servers", {}));
  const block = listed.slice(listed.indexOf("gone ("));
  assert.ok(block.includes(`; last: ${reason}`), block);
  await session.call("remove_server", { name: "gone" });
});
