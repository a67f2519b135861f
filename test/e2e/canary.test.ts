/**
 * Credential canaries. The gateway's upstream credential is a random secret (CANARY) and the client's API key is
 * another (CLIENT_TOKEN). The upstream (test/support/capture-upstream.mjs) records what it receives and tries
 * every way to hand its credential back: tool descriptions, schemas, results, tool errors, JSON-RPC errors. Every
 * response body the client receives in this file, and everything the gateway prints, is searched for both, in every
 * spelling (raw, JSON-escaped up to five times, percent-encoded, base64 at each byte offset, hex). The upstream
 * credential holds `"` and `\` at random places, so each round of JSON escaping changes it.
 */
import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { capturePrinted, leakFinder, recordBodies } from "../support/leak-watch";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

/** `canary-<hex>` with a `"` and a `\` inserted at random places. */
function quotedCanary(): string {
  let text = `canary-${randomBytes(16).toString("hex")}`;
  for (const ch of ['"', "\\"]) {
    const at = 1 + randomInt(text.length - 1);
    text = text.slice(0, at) + ch + text.slice(at);
  }
  return text;
}
const CANARY = quotedCanary();
const CLIENT_TOKEN = `client-${randomBytes(24).toString("hex")}`;
const CLIENT_MARKER = `marker-${randomBytes(8).toString("hex")}`;
/** A `${NAME}` secret reference as GATEWAY_CONFIG spells it (resolved by the gateway, not by JavaScript). */
const UPSTREAM_AUTH = ["Bearer $", "{UPSTREAM_TOKEN}"].join("");
const CAPTURE = fileURLToPath(new URL("../support/capture-upstream.mjs", import.meta.url));

/** The first spelling of the upstream credential found in a text or in a decoding of it, if any. */
const leaked = leakFinder(CANARY);
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
    config: {
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "capture", url: upstream.url, headers: { Authorization: UPSTREAM_AUTH } },
      ],
      network: { allow_loopback: true },
      allow_direct_tool_calls: true,
      auth: { mode: "api_keys" },
    },
    vars: { UPSTREAM_TOKEN: CANARY, API_KEYS: `alice:${CLIENT_TOKEN}` },
  });
  await fetch(new URL("/captured", upstream.url), { method: "DELETE" });
  session = await connect(
    gateway.mcpUrl,
    {},
    {
      fetch: responses.fetch,
      requestInit: { headers: { Authorization: `Bearer ${CLIENT_TOKEN}`, "X-Client-Marker": CLIENT_MARKER } },
    },
  );
});

after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
  output?.restore();
});

const CAPTURE_TOOLS = ["echo", "whoami", "whoami_structured", "fail_with_secret", "throw_secret", "whoami_encoded"];

describe("credential canaries", () => {
  test("the upstream receives the gateway's credential and nothing of the client's", async () => {
    await session.data("list_servers");
    await run(session, 'import { echo } from "servers/capture"; return await echo({ text: "hi" });');
    const captured = (await (await fetch(new URL("/captured", upstream.url))).json()) as {
      headers: Record<string, string>;
    }[];
    assert.ok(captured.length > 0, "the upstream was called");
    for (const { headers } of captured) {
      assert.equal(headers.authorization, `Bearer ${CANARY}`);
      const all = JSON.stringify(headers);
      assert.ok(!all.includes(CLIENT_TOKEN), "the client's token reached the upstream");
      assert.ok(!all.includes(CLIENT_MARKER), "a client header reached the upstream");
    }
  });

  test("descriptions and schemas that echo the credential are redacted in discovery", async () => {
    const details = await session.data("get_tool_details", { tools: CAPTURE_TOOLS.map((t) => `capture.${t}`) });
    const echo = details.tools.find((t: { name: string }) => t.name === "echo");
    assert.match(echo.declaration, /credential seen: \[redacted\]/);
    assert.match(JSON.stringify(echo.input_schema), /credential seen: \[redacted\]/);
    await session.data("search_tools", { query: "credential seen echo" });
    await session.data("list_tool_names", {});
  });

  test("results and errors that echo the credential reach the sandbox redacted", async () => {
    const r = await run(
      session,
      `import { whoami, whoami_structured, fail_with_secret, throw_secret } from "servers/capture";
       const out = { text: await whoami({}), structured: await whoami_structured({}) };
       for (const [k, f] of [["tool_error", fail_with_secret], ["rpc_error", throw_secret]]) {
         try { await f({}); } catch (e) { out[k] = String(e.message); }
       }
       console.log("seen:", JSON.stringify(out));
       return out;`,
    );
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.result.text, "authorization: [redacted]");
    assert.deepEqual(r.result.structured, { authorization: "[redacted]" });
    assert.match(r.result.tool_error, /denied for \[redacted\]/);
    assert.match(r.result.rpc_error, /upstream exploded holding \[redacted\]/);
    assert.equal(r.tool_calls.length, 4);
  });

  test("every spelling of the credential (JSON in JSON, percent, base64, hex, HTML, \\u escapes) reaches the sandbox redacted", async () => {
    const r = await run(session, 'import { whoami_encoded } from "servers/capture";\nreturn await whoami_encoded({});');
    assert.equal(r.ok, true, JSON.stringify(r.error));
    const fields = Object.entries(r.result as Record<string, string>);
    assert.equal(fields.length, 13);
    for (const [field, value] of fields) {
      assert.equal(leaked(value), undefined, `${field} leaked: ${value}`);
      assert.match(value, /\[redacted/, field);
    }
  });

  test("direct tool calls return every spelling of the credential redacted", async () => {
    for (const tool of CAPTURE_TOOLS) {
      const res = await session.call("call_tool", { server: "capture", tool, arguments: { text: "x" } });
      assert.equal(leaked(JSON.stringify(res)), undefined, tool);
    }
    const encoded = await session.call("call_tool", { server: "capture", tool: "whoami_encoded", arguments: {} });
    const lines = (encoded.content[0] as { text: string }).text.split("\n");
    // Encodings with no fixed spelling (every character escaped) replace the whole text: fail closed.
    assert.match(lines.join("\n"), /\[redacted/);
    const who = await session.call("call_tool", { server: "capture", tool: "whoami", arguments: {} });
    assert.match(JSON.stringify(who), /\[redacted\]/);
  });

  test("execution records and skills never hold the credential", async () => {
    const list = await session.data("list_executions", { limit: 200 });
    assert.ok(list.executions.length >= 2);
    for (const e of list.executions) await session.call("get_execution", { id: e.execution_id });
    const saved = await session.call("save_skill", {
      name: "who",
      description: "Returns what the capture upstream says about its caller.",
      code: 'import { whoami } from "servers/capture";\nexport default async function who() { return await whoami({}); }',
    });
    assert.equal(saved.isError, undefined, JSON.stringify(saved.content));
    const skill = await session.call("run_skill", { name: "who", input: {} });
    assert.match(JSON.stringify(skill), /\[redacted\]/);
    await session.call("list_skills", {});
  });

  test("no response body of this file and no log line ever held either secret", async () => {
    await responses.settled();
    const { bodies } = responses;
    assert.ok(bodies.length >= 10, `only ${bodies.length} bodies were captured`);
    assert.ok(
      bodies.some((b) => b.includes("[redacted]")),
      "the leaks were attempted and redacted",
    );
    for (const body of bodies) {
      assert.equal(leaked(body), undefined, `a response held the upstream credential: ${body.slice(0, 300)}`);
      assert.ok(!body.includes(CLIENT_TOKEN), "a response held the client's token");
    }
    const logs = output.printed.join("");
    assert.equal(leaked(logs), undefined, "a log line held the upstream credential");
    assert.ok(!logs.includes(CLIENT_TOKEN), "a log line held the client's token");
  });
});
