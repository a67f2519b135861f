/**
 * With authentication off the gateway serves only this machine: a loopback Host name from a loopback peer.
 * Everything else gets 403 with what to configure, unless `allow_unauthenticated = true` says otherwise.
 * The LAN client is real: the request leaves from this machine's own non-loopback address (a LAN peer as the
 * gateway sees it) to the gateway on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { after, before, describe, test } from "node:test";
import { type Gateway, startGateway } from "../support/gateway";
import { rawRequest } from "../support/raw-http";

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
});
const WORKSPACE = [{ name: "workspace", url: "builtin:workspace" }];

/** A non-loopback IPv4 address of this machine, if it has one. */
const LAN_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

function initialize(gateway: Gateway, options: { host?: string; localAddress?: string } = {}) {
  return rawRequest(gateway.mcpUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(options.host ? { host: options.host } : {}),
    },
    body: INIT,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
}

describe("auth.mode none (the default)", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway();
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("a local client on 127.0.0.1 is served", async () => {
    assert.equal((await initialize(gateway)).status, 200);
  });

  test("a local client using the name localhost is served", async () => {
    assert.equal((await initialize(gateway, { host: `localhost:${gateway.url.port}` })).status, 200);
  });

  test("a request for a public host name gets 403 saying how to turn authentication on", async () => {
    const res = await initialize(gateway, { host: "gateway.example.com" });
    assert.equal(res.status, 403);
    const { message } = JSON.parse(res.body).error;
    assert.match(message, /authentication is off \(auth\.mode = "none"\)/);
    assert.match(message, /the request is for host gateway\.example\.com/);
    assert.match(message, /auth\.mode = "api_keys" or "oauth"/);
    assert.match(message, /allow_unauthenticated = true/);
  });

  test("a LAN client that sends Host: localhost gets 403 naming its address", {
    skip: !LAN_ADDRESS && "no non-loopback IPv4 address on this machine",
  }, async () => {
    const res = await initialize(gateway, { host: `localhost:${gateway.url.port}`, localAddress: LAN_ADDRESS });
    assert.equal(res.status, 403);
    assert.match(
      JSON.parse(res.body).error.message,
      new RegExp(`the request comes from ${LAN_ADDRESS!.replaceAll(".", "\\.")}`),
    );
  });

  test("the built-in server's route is local-only too", async () => {
    const res = await rawRequest(new URL("/servers/workspace/mcp", gateway.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        host: "gateway.example.com",
      },
      body: INIT,
    });
    assert.equal(res.status, 403);
  });
});

describe('auth = { mode = "none", allow_unauthenticated = true }', () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({
      config: { servers: WORKSPACE, auth: { mode: "none", allow_unauthenticated: true } },
    });
  });
  after(async () => {
    await gateway?.dispose();
  });

  test("a request for a public host name is served", async () => {
    assert.equal((await initialize(gateway, { host: "gateway.example.com" })).status, 200);
  });

  test("a LAN client is served", { skip: !LAN_ADDRESS && "no non-loopback IPv4 address on this machine" }, async () => {
    assert.equal((await initialize(gateway, { localAddress: LAN_ADDRESS })).status, 200);
  });
});

test("allow_unauthenticated with authentication on is a configuration error naming the field", async () => {
  const gateway = await startGateway({
    config: { servers: WORKSPACE, auth: { mode: "api_keys", allow_unauthenticated: true } },
  });
  try {
    const res = await fetch(new URL("/health", gateway.url));
    assert.equal(res.status, 500);
    assert.match(
      ((await res.json()) as { error: string }).error,
      /allow_unauthenticated applies only to mode = "none"/,
    );
  } finally {
    await gateway.dispose();
  }
});
