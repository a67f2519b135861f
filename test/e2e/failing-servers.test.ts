/**
 * Servers that keep failing are said to have failed, with why, not to be "still connecting": a model told to ask
 * again shortly would ask forever, and asking does not fix a server that refuses connections or is not an MCP
 * endpoint. One upstream here closes every connection, the other answers every request with a web server's HTML 404
 * page. A first session lists them (and fails); a later session, whose wait for them is short once they have failed
 * (src/registry/listing-patience.ts), is told the same.
 */
import assert from "node:assert/strict";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { type AddressInfo, createServer, type Server } from "node:net";
import { after, before, test } from "node:test";
import { connect, type Gateway, startGateway } from "../support/gateway";
import { until } from "../support/until";

let gateway: Gateway;
let dead: Server;
let notMcp: HttpServer;

before(async () => {
  dead = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
  notMcp = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(404, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!DOCTYPE html>\n<html><head><title>Error</title></head><body><pre>Cannot ${req.method} ${req.url}</pre></body></html>`,
    );
  });
  await new Promise<void>((resolve) => notMcp.listen(0, "127.0.0.1", resolve));
  const port = (s: Server | HttpServer) => (s.address() as AddressInfo).port;
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "dead", url: `http://127.0.0.1:${port(dead)}/mcp` },
        { name: "notmcp", url: `http://127.0.0.1:${port(notMcp)}/mcp` },
      ],
    },
  });
});
after(async () => {
  await gateway?.dispose();
  await new Promise((resolve) => dead?.close(resolve));
  await new Promise((resolve) => notMcp?.close(resolve));
});

type Listed = { name: string; status: string; connecting?: string; failed?: string; last_error?: { message: string } };

/** list_tool_names and list_servers of one session say dead and notmcp failed, why, and that asking again won't do. */
async function expectFailed(session: Awaited<ReturnType<typeof connect>>): Promise<void> {
  const names = await session.call("list_tool_names", { keywords: ["file"] });
  const text = (names.content[0] as { text: string }).text;
  assert.doesNotMatch(text, /still connecting|ask again shortly/i, text);
  assert.match(text, /^servers\/workspace: .*write_file/m, text);
  assert.match(text, /Failed \(asking again will not help until it is fixed; list_servers shows more\): /, text);
  assert.match(
    text,
    /dead: could not connect to upstream dead at 127\.0\.0\.1:\d+ \(connection refused or closed\)/,
    text,
  );
  assert.match(text, /notmcp: upstream notmcp answered HTTP 404 to POST http:\/\/127\.0\.0\.1:\d+\/mcp/, text);
  assert.doesNotMatch(text, /<!DOCTYPE|<pre>/i, text);
  const failed = (names.structuredContent as { failed: Array<{ server: string }> }).failed;
  assert.deepEqual(failed.map((f) => f.server).sort(), ["dead", "notmcp"]);
  assert.equal((names.structuredContent as { connecting?: string[] }).connecting, undefined);

  const listed = await session.call("list_servers", {});
  const listedText = (listed.content[0] as { text: string }).text;
  assert.doesNotMatch(listedText, /still connecting|try again shortly/i, listedText);
  const servers = (listed.structuredContent as { servers: Listed[] }).servers;
  for (const name of ["dead", "notmcp"]) {
    const s = servers.find((x) => x.name === name)!;
    assert.equal(s.status, "error", JSON.stringify(s));
    assert.equal(s.connecting, undefined, JSON.stringify(s));
    assert.ok(s.last_error?.message, JSON.stringify(s));
  }
}

test("servers that fail are listed as failed with why, in the session that listed them and in a later one", async () => {
  const first = await connect(gateway.mcpUrl);
  try {
    // The first session's listings end (they may outlast its first reads' patience: those say "still connecting").
    await until(
      "both listings failed",
      async () => {
        const { servers } = await first.data("list_servers", {});
        return servers.filter((s: Listed) => s.status === "error").length === 2 ? true : undefined;
      },
      30_000,
    );
    await expectFailed(first);
  } finally {
    await first.close();
  }
  // A new session, as a client that opens one per call: the servers failed a moment ago in another session.
  const later = await connect(gateway.mcpUrl);
  try {
    await expectFailed(later);
    const { servers } = await later.data("list_servers", {});
    const dead = servers.find((s: Listed) => s.name === "dead");
    // Still being listed again in the background, it is said to have failed, and when.
    if (dead.failed)
      assert.match(
        dead.failed,
        /^failed \d+ s ago: could not connect to upstream dead .*; asking again will not help until that is fixed/,
      );
  } finally {
    await later.close();
  }
});
