/**
 * Attacks on the per-user surface of issues #15 and #18 (user servers, secrets, the web pages), as real requests
 * against the gateway in workerd with two API-key users. Each test is one attack that once worked, and shows it
 * is refused with a clear reason.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, type Session, startGateway } from "../support/gateway";

const ALICE = `alice_${randomBytes(24).toString("base64url")}`;
const BOB = `bob_${randomBytes(24).toString("base64url")}`;

let gateway: Gateway;
let alice: Session;

before(async () => {
  gateway = await startGateway({
    config: { network: { allow_loopback: true }, auth: { mode: "api_keys" } },
    vars: { API_KEYS: `alice:${ALICE},bob:${BOB}`, CONNECTIONS_KEY: randomBytes(32).toString("hex") },
  });
  alice = await connect(gateway.mcpUrl, {}, { requestInit: { headers: { Authorization: `Bearer ${ALICE}` } } });
});

after(async () => {
  await alice?.close();
  await gateway?.dispose();
});

/**
 * An OAuth-protected MCP server whose own authorization server names `authorizationEndpoint` (any scheme) and
 * registers every client: the 401 challenge, protected resource metadata, RFC 8414 metadata and registration.
 */
async function startHostileAuthServer(
  authorizationEndpoint: string,
  registerDelayMs = 0,
): Promise<{ url: string; server: Server; registering: Promise<void> }> {
  // Set once listening: a request that arrives after close() (a background listing on a kept-alive connection)
  // must still be answered, and server.address() is null by then.
  let origin = "";
  let registered!: () => void;
  /** Settles when the first client registration arrives (answered registerDelayMs later). */
  const registering = new Promise<void>((resolve) => (registered = resolve));
  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? "/", origin).pathname;
    if (path === "/mcp") {
      res.writeHead(401, {
        "www-authenticate": `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource"`,
      });
      return res.end();
    }
    if (path.startsWith("/.well-known/oauth-protected-resource")) {
      return json(200, { resource: `${origin}/mcp`, authorization_servers: [origin] });
    }
    if (path.startsWith("/.well-known/oauth-authorization-server")) {
      return json(200, {
        issuer: origin,
        authorization_endpoint: authorizationEndpoint,
        token_endpoint: `${origin}/token`,
        registration_endpoint: `${origin}/register`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (path === "/register") {
      registered();
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () =>
        setTimeout(() => json(201, { ...JSON.parse(body), client_id: "hostile-client" }), registerDelayMs),
      );
      return;
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server, registering };
}

/** Signs in through the form with `next`; the response is not followed. */
function signIn(next: string): Promise<Response> {
  return fetch(new URL("/signin", gateway.url), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: new URL(gateway.url).origin },
    body: new URLSearchParams({ api_key: ALICE, next }),
  });
}

describe("sign-in return address", () => {
  test("a next path hiding a second slash behind a tab or line break returns to this gateway, never another host", async () => {
    for (const next of ["/\t/evil.example/x", "/\r/evil.example/x", "/\n/evil.example/x", "/\t\\evil.example"]) {
      const res = await signIn(next);
      assert.equal(res.status, 303, JSON.stringify(next));
      const target = new URL(res.headers.get("location") ?? "", gateway.url);
      assert.equal(target.origin, new URL(gateway.url).origin, `${JSON.stringify(next)} sent the browser to ${target}`);
    }
  });

  test("a signed-in browser opening /signin with a tab-hidden next stays on this gateway", async () => {
    const signed = await signIn("/connections");
    const cookie = (signed.headers.get("set-cookie") ?? "").split(";")[0]!;
    const res = await fetch(new URL(`/signin?next=${encodeURIComponent("/\t/evil.example")}`, gateway.url), {
      redirect: "manual",
      headers: { cookie },
    });
    assert.equal(res.status, 303);
    assert.equal(new URL(res.headers.get("location") ?? "", gateway.url).origin, new URL(gateway.url).origin);
  });

  test("a next path whose dot segments resolve to a second slash returns to this gateway, never another host", async () => {
    // `/..//evil.example` resolves to the path `//evil.example`: as a Location, the host evil.example. One sign-in
    // (attempts are limited per address), then the redirect a signed-in browser gets from /signin at once.
    const signed = await signIn("/..//evil.example/x");
    assert.equal(signed.status, 303);
    const first = new URL(signed.headers.get("location") ?? "", gateway.url);
    assert.equal(first.origin, new URL(gateway.url).origin, `signing in sent the browser to ${first}`);
    const cookie = (signed.headers.get("set-cookie") ?? "").split(";")[0]!;
    for (const next of [
      "/..//evil.example/x",
      "/%2e%2e//evil.example/x",
      "/./..//evil.example",
      "/a/../..//evil.example",
    ]) {
      const res = await fetch(new URL(`/signin?next=${encodeURIComponent(next)}`, gateway.url), {
        redirect: "manual",
        headers: { cookie },
      });
      assert.equal(res.status, 303, JSON.stringify(next));
      const target = new URL(res.headers.get("location") ?? "", gateway.url);
      assert.equal(target.origin, new URL(gateway.url).origin, `${JSON.stringify(next)} sent the browser to ${target}`);
    }
  });

  test("an ordinary next path with its query survives sign-in unchanged", async () => {
    const res = await signIn("/dashboard/executions?status=error&offset=20");
    assert.equal(res.headers.get("location"), "/dashboard/executions?status=error&offset=20");
  });
});

describe("control characters in credentials", () => {
  test("a secret holding a control character is refused when stored, naming the rule", async () => {
    const res = await fetch(new URL("/secrets/TOKEN", gateway.url), {
      method: "PUT",
      headers: { authorization: `Bearer ${ALICE}` },
      body: "abc\x01def",
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /control characters/);
  });

  test("a header value holding a control character is refused by add_server, naming the rule", async () => {
    const r = await alice.call("add_server", {
      name: "ctl",
      url: "http://127.0.0.1:9/mcp",
      headers: { "X-Key": "abc\x7fdef" },
    });
    assert.equal(r.isError, true);
    assert.match(JSON.stringify(r.content), /control characters/);
  });
});

describe("secrets in transit", () => {
  test("a header carrying a secret to a public host over plain http is refused before any connection", async () => {
    const r = await alice.call("add_server", {
      name: "cleartext",
      url: "http://example.com/mcp",
      headers: { Authorization: ["Bearer $", "{secret:TOKEN}"].join("") },
    });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(JSON.stringify(r.content), /unencrypted over http/);
  });
});

describe("hostile authorization servers", () => {
  test("an authorization_endpoint with another scheme than http(s) gets no sign-in link, and the error names it", async () => {
    const hostile = await startHostileAuthServer("ms-officecmd:open?url=evil");
    try {
      const added = await alice.call("add_server", { name: "hostile_as", url: hostile.url });
      assert.doesNotMatch(JSON.stringify(added), /authorization_url|\/connections\/authorize/);
      const again = await alice.call("authorize_server", { name: "hostile_as" });
      assert.equal(again.isError, true);
      assert.match(JSON.stringify(again.content), /ms-officecmd: URL; only an http\(s\) sign-in page/);
    } finally {
      hostile.server.close();
    }
  });
});

describe("a sign-in racing remove_server", () => {
  test("a server that takes a removed server's name gets its own sign-in, never the removed one's", async () => {
    const first = await startHostileAuthServer("http://127.0.0.1:1/first-authorize", 3_000);
    const second = await startHostileAuthServer("http://127.0.0.1:1/second-authorize");
    const other = await connect(gateway.mcpUrl, {}, { requestInit: { headers: { Authorization: `Bearer ${ALICE}` } } });
    try {
      // The first add waits on the slow registration while another session of the same user removes the server.
      const adding = alice.call("add_server", { name: "swap", url: first.url });
      await first.registering;
      await other.call("remove_server", { name: "swap" });
      await adding;
      const readded = await other.data("add_server", { name: "swap", url: second.url });
      assert.equal(readded.status, "authorization_required", JSON.stringify(readded));
      const signed = await signIn("/connections");
      const cookie = (signed.headers.get("set-cookie") ?? "").split(";")[0]!;
      const opened = await fetch(readded.authorization_url, { redirect: "manual", headers: { cookie } });
      assert.equal(opened.status, 302);
      assert.match(opened.headers.get("location") ?? "", /^http:\/\/127\.0\.0\.1:1\/second-authorize/);
    } finally {
      await other.close();
      first.server.close();
      second.server.close();
    }
  });
});
