import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { guardedFetch, MAX_REDIRECTS, UrlRefusedError } from "../../../src/registry/guarded-fetch";
import type { NetworkPolicy } from "../../../src/registry/ssrf";

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A real HTTP server on 127.0.0.1 whose routes answer with redirects; it records every request it receives. */
async function redirector(routes: Record<string, (origin: string) => [number, string?]>) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const route = routes[req.url!];
      const [status, location] = route ? route(origin) : [200];
      res.writeHead(status, location ? { location } : { "content-type": "application/json" });
      res.end(location ? "" : JSON.stringify({ path: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { origin, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const LOCAL: NetworkPolicy = { allow_loopback: true, allow_private: false, allow_hosts: [] };
const fetchLocal = guardedFetch((input, init) => fetch(input, init), LOCAL);

let a: Awaited<ReturnType<typeof redirector>>;
let b: Awaited<ReturnType<typeof redirector>>;

before(async () => {
  b = await redirector({});
  a = await redirector({
    "/to-metadata": () => [302, "http://169.254.169.254/latest/meta-data/"],
    "/to-decimal-loopback": (o) => [307, `http://2130706433:${new URL(o).port}/ok`],
    "/to-mapped-loopback": (o) => [302, `http://[::ffff:127.0.0.1]:${new URL(o).port}/ok`],
    "/to-file": () => [302, "file:///etc/passwd"],
    "/loop": () => [302, "/loop"],
    "/same-307": () => [307, "/ok"],
    "/see-other": () => [303, "/ok"],
    "/cross": () => [307, `${b.origin}/landed`],
    "/hops-5": () => [302, "/hops-4"],
    "/hops-4": () => [302, "/hops-3"],
    "/hops-3": () => [302, "/hops-2"],
    "/hops-2": () => [302, "/hops-1"],
    "/hops-1": () => [302, "/ok"],
  });
});
after(async () => {
  await a?.close();
  await b?.close();
});

describe("guardedFetch", () => {
  it("refuses a URL the policy refuses before connecting", async () => {
    const strict = guardedFetch((input, init) => fetch(input, init), {
      allow_loopback: false,
      allow_private: false,
      allow_hosts: [],
    });
    a.seen.length = 0;
    await assert.rejects(strict(`${a.origin}/ok`), (err: Error) => {
      assert.ok(err instanceof UrlRefusedError);
      assert.match(err.message, /127\.0\.0\.1 is a loopback address/);
      return true;
    });
    assert.equal(a.seen.length, 0);
  });

  it("refuses a redirect to the metadata address and names the hop", async () => {
    await assert.rejects(fetchLocal(`${a.origin}/to-metadata`), (err: Error) => {
      assert.ok(err instanceof UrlRefusedError);
      assert.match(
        err.message,
        /redirect from .*\/to-metadata to http:\/\/169\.254\.169\.254: 169\.254\.169\.254 is a cloud metadata/,
      );
      return true;
    });
  });

  it("normalizes each hop before checking it: 2130706433 is 127.0.0.1, [::ffff:127.0.0.1] is loopback", async () => {
    const onlyHost = guardedFetch((input, init) => fetch(input, init), {
      allow_loopback: false,
      allow_private: false,
      allow_hosts: ["127.0.0.1"],
    });
    const res = await onlyHost(`${a.origin}/to-decimal-loopback`);
    assert.deepEqual(await res.json(), { path: "/ok" });
    await assert.rejects(
      onlyHost(`${a.origin}/to-mapped-loopback`),
      /redirect from http:\/\/127\.0\.0\.1:\d+\/to-mapped-loopback to http:\/\/\[::ffff:7f00:1\]:\d+: ::ffff:7f00:1 is a loopback/,
    );
  });

  it("refuses a redirect to a scheme other than http(s)", async () => {
    await assert.rejects(fetchLocal(`${a.origin}/to-file`), /only http and https/);
  });

  it(`follows at most ${MAX_REDIRECTS} redirects`, async () => {
    const res = await fetchLocal(`${a.origin}/hops-5`);
    assert.deepEqual(await res.json(), { path: "/ok" });
    a.seen.length = 0;
    await assert.rejects(fetchLocal(`${a.origin}/loop`), /redirected more than 5 times/);
    assert.equal(a.seen.length, MAX_REDIRECTS + 1);
  });

  it("keeps method, body and credentials on a same-origin 307", async () => {
    a.seen.length = 0;
    const res = await fetchLocal(`${a.origin}/same-307`, {
      method: "POST",
      headers: { authorization: "Bearer same-origin", "content-type": "application/json" },
      body: '{"jsonrpc":"2.0"}',
    });
    assert.equal(res.status, 200);
    const last = a.seen.at(-1)!;
    assert.deepEqual([last.method, last.path, last.body], ["POST", "/ok", '{"jsonrpc":"2.0"}']);
    assert.equal(last.headers.authorization, "Bearer same-origin");
  });

  it("continues a 303 as a GET without body", async () => {
    a.seen.length = 0;
    await fetchLocal(`${a.origin}/see-other`, { method: "POST", body: "x", headers: { "content-type": "text/plain" } });
    const last = a.seen.at(-1)!;
    assert.deepEqual([last.method, last.path, last.body], ["GET", "/ok", ""]);
  });

  it("sends only protocol headers after a redirect to another origin", async () => {
    b.seen.length = 0;
    await fetchLocal(`${a.origin}/cross`, {
      method: "POST",
      headers: {
        authorization: "Bearer canary-secret",
        "x-api-key": "canary-key",
        "mcp-session-id": "session-1",
        "mcp-protocol-version": "2025-11-25",
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
      },
      body: "{}",
    });
    const landed = b.seen.at(-1)!;
    assert.equal(landed.path, "/landed");
    assert.equal(landed.headers.authorization, undefined);
    assert.equal(landed.headers["x-api-key"], undefined);
    assert.equal(landed.headers["mcp-session-id"], "session-1", "minted by the server the redirect leads to");
    assert.equal(landed.headers["mcp-protocol-version"], "2025-11-25");
    assert.equal(landed.headers.accept, "application/json, text/event-stream");
  });
});
