/**
 * The bounded fetch of the OAuth client (src/shared/capped-fetch.ts) against a real server on loopback: a declared
 * Content-Length over the bound is refused before the body is read; a body within it reads as usual. The
 * undeclared (chunked) case runs end to end in test/e2e/upstream-oauth.test.ts.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { cappedFetch, ResponseTooLargeError } from "../../../src/shared/capped-fetch";

const MAX = 1024;
let server: Server;
let base: string;
const fetchCapped = cappedFetch((input, init) => fetch(input, init), MAX);

before(async () => {
  server = createServer((req, res) => {
    const size = Number(new URL(req.url ?? "/", "http://x").searchParams.get("size"));
    res.writeHead(200, { "content-type": "application/json", "content-length": String(size + 2) });
    res.end(JSON.stringify("a".repeat(size)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("a declared Content-Length over the bound is refused before the body is read, naming the URL and the bound", async () => {
  await assert.rejects(fetchCapped(`${base}/meta?size=100000`), (err: unknown) => {
    assert.ok(err instanceof ResponseTooLargeError);
    assert.match(err.message, /^http:\/\/127\.0\.0\.1:\d+\/meta answered with more than 1 KB; refused$/);
    return true;
  });
});

test("a body within the bound reads whole, with its status and headers", async () => {
  const response = await fetchCapped(`${base}/meta?size=100`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(((await response.json()) as string).length, 100);
});
