import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, startGateway } from "../support/gateway";
import { rawRequest } from "../support/raw-http";

const ALICE_KEY = randomBytes(24).toString("base64url");
const BOB_KEY = randomBytes(24).toString("base64url");
const MAX_REQUEST_BYTES = 50_000;
const ACCEPT = "application/json, text/event-stream";
const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "0" } },
});
const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });

let gateway: Gateway;
before(async () => {
  gateway = await startGateway({
    config: {
      servers: [{ name: "workspace", url: "builtin:workspace" }],
      allowed_origins: ["https://allowed.example"],
      auth: { mode: "api_keys" },
      limits: { max_request_bytes: MAX_REQUEST_BYTES, execute_rate_limit: { executions: 3, per_seconds: 3600 } },
    },
    vars: { API_KEYS: `alice:${ALICE_KEY} bob:${BOB_KEY}` },
  });
});
after(async () => {
  await gateway?.dispose();
});

/** A POST to /mcp as alice, with any Host and headers (fetch cannot set Host). */
function postAs(headers: Record<string, string>, body = INIT) {
  return rawRequest(gateway.mcpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, authorization: `Bearer ${ALICE_KEY}`, ...headers },
    body,
  });
}

describe("Origin validation (DNS rebinding)", () => {
  test("a rebinding page (Host and Origin both the attacker's name) gets 403", async () => {
    const res = await postAs({ host: "evil.example", origin: "http://evil.example" });
    assert.equal(res.status, 403);
    assert.match(res.body, /Origin http:\/\/evil\.example is not allowed/);
  });

  test("the gateway's own loopback origin passes", async () => {
    const res = await postAs({ origin: gateway.url.origin });
    assert.equal(res.status, 200);
  });

  test("a public own origin is not trusted without allowed_origins", async () => {
    const res = await postAs({ host: "gateway.example.com", origin: "http://gateway.example.com" });
    assert.equal(res.status, 403);
  });

  test("an origin listed in allowed_origins passes", async () => {
    assert.equal((await postAs({ origin: "https://allowed.example" })).status, 200);
  });

  test("a request without Origin (a non-browser client) passes", async () => {
    assert.equal((await postAs({})).status, 200);
  });
});

describe("request body limit", () => {
  const padded = (bytes: number) =>
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: { pad: "x".repeat(bytes) } } });

  test("a body over limits.max_request_bytes gets 413 with the limit named", async () => {
    const res = await postAs({}, padded(MAX_REQUEST_BYTES));
    assert.equal(res.status, 413);
    assert.match(res.body, /over 50000 bytes \(limits\.max_request_bytes\)/);
  });

  test("a chunked body without Content-Length is cut off at the limit too", async () => {
    const res = await postAs({ "transfer-encoding": "chunked" }, padded(MAX_REQUEST_BYTES * 4));
    assert.equal(res.status, 413);
  });

  test("the built-in servers' route refuses a body over the limit too", async () => {
    const res = await rawRequest(new URL("/servers/workspace/mcp", gateway.url), {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT, authorization: `Bearer ${ALICE_KEY}` },
      body: padded(MAX_REQUEST_BYTES),
    });
    assert.equal(res.status, 413);
  });

  // A server that answers before it has the body makes the client's socket reset while it writes: the client then
  // reports "socket hang up", not the 413 that names the limit (it happened in a CI run). The body over the limit is
  // read to its end (up to a bound) before the answer, so the answer never comes while the client is still sending.
  for (const [route, chunked] of [
    ["/mcp", false],
    ["/mcp", true],
    ["/servers/workspace/mcp", false],
  ] as const) {
    test(`${route}${chunked ? " (chunked)" : ""}: the 413 comes after the whole body is sent, never while it is sent`, async () => {
      const body = padded(MAX_REQUEST_BYTES * 2);
      const half = Math.floor(body.length / 2);
      const url = new URL(route, gateway.url);
      let answeredEarly = false;
      const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: ACCEPT,
            authorization: `Bearer ${ALICE_KEY}`,
            ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(Buffer.byteLength(body)) }),
          },
        });
        let sent = false;
        req.on("response", (r) => {
          if (!sent) answeredEarly = true;
          let text = "";
          r.setEncoding("utf8");
          r.on("data", (d) => {
            text += d;
          });
          r.on("end", () => resolve({ status: r.statusCode ?? 0, text }));
        });
        req.on("error", reject);
        req.write(body.slice(0, half));
        setTimeout(() => {
          sent = true;
          req.end(body.slice(half));
        }, 400);
      });
      assert.equal(answeredEarly, false, "the gateway answered before the client had sent its body");
      assert.equal(res.status, 413);
      assert.match(res.text, /over 50000 bytes \(limits\.max_request_bytes\)/);
    });
  }

  test("a body under the limit is served", async () => {
    const res = await postAs({}, INIT.replace('"name":"t"', `"name":"${"t".repeat(MAX_REQUEST_BYTES / 2)}"`));
    assert.equal(res.status, 200);
  });
});

describe("MCP-Protocol-Version", () => {
  test("an unsupported version gets 400 on POST, GET and DELETE; a supported one is served", async () => {
    const s = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    const sessionHeaders = (version: string) => ({
      "mcp-session-id": s.transport.sessionId!,
      "mcp-protocol-version": version,
      authorization: `Bearer ${ALICE_KEY}`,
      accept: ACCEPT,
    });
    const list = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
    for (const method of ["POST", "GET", "DELETE"]) {
      const res = await rawRequest(gateway.mcpUrl, {
        method,
        headers: { ...sessionHeaders("1999-01-01"), "content-type": "application/json" },
        ...(method === "POST" ? { body: list } : {}),
      });
      assert.equal(res.status, 400, `${method}: ${res.body}`);
      assert.match(JSON.parse(res.body).error.message, /unsupported MCP-Protocol-Version "1999-01-01"/);
      // The newest revision is named too, with how a client asks for it.
      assert.match(JSON.parse(res.body).error.message, /and 2026-07-28, which a client names in each request's _meta/);
    }
    const ok = await rawRequest(gateway.mcpUrl, {
      method: "POST",
      headers: { ...sessionHeaders("2025-11-25"), "content-type": "application/json" },
      body: list,
    });
    assert.equal(ok.status, 200);
    await s.close();
  });
});

describe("execute_code rate limit", () => {
  test("a user over the limit gets a tool error with the wait, in every session; other users are unaffected", async () => {
    const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    for (let i = 0; i < 3; i++) assert.equal((await run(alice, `return ${i}`)).ok, true);
    const limited = await run(alice, "return 3");
    assert.equal(limited.isError, true);
    assert.match(limited.error.message, /^rate limit: 3 executions per 3600 s for this user; retry in \d+ s$/);
    assert.match(limited.text, /retry in \d+ s/);

    const aliceAgain = await connect(gateway.mcpUrl, {}, bearer(ALICE_KEY));
    assert.match((await run(aliceAgain, "return 4")).error?.message ?? "", /rate limit/);

    const bob = await connect(gateway.mcpUrl, {}, bearer(BOB_KEY));
    assert.equal((await run(bob, "return 5")).result, 5);
    await Promise.all([alice.close(), aliceAgain.close(), bob.close()]);
  });
});
