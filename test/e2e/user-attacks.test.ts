/**
 * Attacks on the per-user surface of issues #15 and #18 (user servers, secrets, the web pages), as real requests
 * against the gateway in workerd with two API-key users. Each test is one attack that once worked, and shows it
 * is refused with a clear reason.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
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
