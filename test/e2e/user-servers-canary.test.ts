/**
 * Credential canaries for user servers (#15 item 5). A user stores a random secret (CANARY) through /secrets and
 * adds the capture upstream (test/support/capture-upstream.mjs) with `Authorization: Bearer ${secret:TOKEN}`; the
 * upstream receives it and tries every way to hand it back (instructions, descriptions, schemas, results, tool
 * errors, JSON-RPC errors, encoded spellings). Every response body the client receives and everything the gateway
 * prints is searched for the secret in every spelling, and for the client's own API key.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { capturePrinted, leakFinder, recordBodies } from "../support/leak-watch";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const CANARY = `usercanary-${randomBytes(16).toString("hex")}`;
const CLIENT_TOKEN = `client-${randomBytes(24).toString("hex")}`;
const CAPTURE = fileURLToPath(new URL("../support/capture-upstream.mjs", import.meta.url));
const TOKEN_REF = ["Bearer $", "{secret:TOKEN}"].join("");

/** The first spelling of either secret found in a text or in a decoding of it, if any. */
const leaked = leakFinder(CANARY, CLIENT_TOKEN);
/** Every response body the client received, and everything the gateway printed. */
const responses = recordBodies();
let output: ReturnType<typeof capturePrinted>;

let gateway: Gateway;
let upstream: Upstream;
let session: Session;

before(async () => {
  output = capturePrinted();
  upstream = await startNodeUpstream(CAPTURE, []);
  gateway = await startGateway({
    config: { network: { allow_loopback: true }, auth: { mode: "api_keys" } },
    vars: { API_KEYS: `alice:${CLIENT_TOKEN}`, CONNECTIONS_KEY: randomBytes(32).toString("hex") },
  });
  const stored = await fetch(new URL("/secrets/TOKEN?hosts=127.0.0.1", gateway.url), {
    method: "PUT",
    headers: { authorization: `Bearer ${CLIENT_TOKEN}` },
    body: CANARY,
  });
  assert.equal(stored.status, 200);
  await fetch(new URL("/captured", upstream.url), { method: "DELETE" });
  session = await connect(
    gateway.mcpUrl,
    {},
    { fetch: responses.fetch, requestInit: { headers: { Authorization: `Bearer ${CLIENT_TOKEN}` } } },
  );
});

after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
  output?.restore();
});

describe("user server credential canaries", () => {
  test("the upstream receives the user's resolved secret and nothing of the client's token", async () => {
    const added = await session.data("add_server", {
      name: "capture",
      url: upstream.url,
      headers: { Authorization: TOKEN_REF },
    });
    assert.equal(added.status, "connected", JSON.stringify(added));
    await run(session, 'import { echo } from "servers/capture"; return await echo({ text: "hi" });');
    const captured = (await (await fetch(new URL("/captured", upstream.url))).json()) as {
      headers: Record<string, string>;
    }[];
    assert.ok(captured.length > 0);
    for (const { headers } of captured) {
      assert.equal(headers.authorization, `Bearer ${CANARY}`);
      assert.ok(!JSON.stringify(headers).includes(CLIENT_TOKEN), "the client's token reached the upstream");
    }
  });

  test("discovery, results, errors and every encoded spelling reach the client redacted", async () => {
    await session.data("list_servers", {});
    await session.data("search_tools", { query: "credential seen echo" });
    const details = await session.data("get_tool_details", { tools: ["capture.echo"] });
    assert.match(details.tools[0].declaration, /credential seen: \[redacted\]/);
    const r = await run(
      session,
      `import { whoami, whoami_structured, whoami_encoded, fail_with_secret, throw_secret } from "servers/capture";
       const out = { text: await whoami({}), structured: await whoami_structured({}), encoded: await whoami_encoded({}) };
       for (const [k, f] of [["tool_error", fail_with_secret], ["rpc_error", throw_secret]]) {
         try { await f({}); } catch (e) { out[k] = String(e.message); }
       }
       console.log("seen:", JSON.stringify(out));
       return out;`,
    );
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.result.text, "authorization: [redacted]");
    assert.match(r.result.rpc_error, /\[redacted\]/);
    for (const [field, value] of Object.entries(r.result.encoded as Record<string, string>)) {
      assert.equal(leaked(value), undefined, `${field} leaked`);
    }
  });

  test("history, the secrets listing and a failed connection never hold the secret", async () => {
    const list = await session.data("list_executions", { limit: 50 });
    for (const e of list.executions) await session.call("get_execution", { id: e.execution_id });
    const secrets = await fetch(new URL("/secrets", gateway.url), {
      headers: { authorization: `Bearer ${CLIENT_TOKEN}` },
    });
    const listed = await secrets.text();
    assert.match(listed, /"TOKEN"/);
    assert.equal(leaked(listed), undefined, "GET /secrets showed a value");
    // An upstream that refuses the connection: its error goes through the same redaction.
    await upstream.stop();
    await session.call("list_servers", { refresh: true });
    await run(session, 'import { echo } from "servers/capture"; return await echo({ text: "down" });');
    await session.call("remove_server", { name: "capture" });
  });

  test("no response body of this file and no log line ever held the secret or the client's token", async () => {
    await responses.settled();
    const { bodies } = responses;
    assert.ok(bodies.length >= 8, `only ${bodies.length} bodies were captured`);
    assert.ok(bodies.some((b) => b.includes("[redacted]")));
    for (const body of bodies) assert.equal(leaked(body), undefined, `a response leaked: ${body.slice(0, 300)}`);
    assert.equal(leaked(output.printed.join("")), undefined, "a log line leaked");
  });
});
