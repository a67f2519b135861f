/**
 * What a program gives back beyond its `return`: the value of a final expression, the promise rejections it left
 * unhandled, and the gateway's own explanation when it reaches for the network.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { run, type Session, withGatewaySession } from "../support/gateway";

let session: Session;
withGatewaySession((_, s) => {
  session = s;
});

const NO_NETWORK =
  /is not available: the sandbox has no network\. Reach the outside through tools: import them from "servers\/<name>"/;

describe("the value of a final expression", () => {
  test("code ending with an expression returns its value", async () => {
    const r = await run(session, "const a = 20;\na + 1");
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, 21);
    assert.match(r.text, /^result: 21$/m);
  });

  test("code ending with an awaited tool call returns what the tool returned", async () => {
    const r = await run(
      session,
      'import { read_file, write_file } from "servers/workspace";\nawait write_file({ path: "/r.txt", content: "kept" });\nawait read_file({ path: "/r.txt" })',
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, "kept");
  });

  test("a top-level return anywhere in the code turns the rule off", async () => {
    const r = await run(session, "const n = 1;\nif (n > 1) return 'big';\n'small'");
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, undefined);
  });

  test("execute_code's description says so", async () => {
    const { tools } = await session.client.listTools();
    const execute = tools.find((t) => t.name === "execute_code");
    assert.match(execute?.description ?? "", /Return a value or end with an expression/);
  });
});

describe("unhandled promise rejections", () => {
  test("a rejection nobody handles is a warning in the result, with its line, even when the code returns at once", async () => {
    const r = await run(session, "const x = 1;\nPromise.reject(new Error('nobody listens'));\nreturn 'returned';");
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, "returned");
    assert.deepEqual(r.warnings, [
      { message: "Unhandled promise rejection: Error: nobody listens (at line 2 of your code)" },
    ]);
    assert.deepEqual(r.logs, []);
    assert.match(r.text, /^warnings:\n {2}Unhandled promise rejection: Error: nobody listens/m);
  });

  test("a rejection handled later is not a warning", async () => {
    const r = await run(
      session,
      "const p = Promise.reject(new Error('later'));\nawait new Promise((r) => setTimeout(r, 20));\nreturn await p.catch((e) => e.message);",
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, "later");
    assert.equal(r.warnings, undefined);
  });

  test("a failed execution reports its unhandled rejections too", async () => {
    const r = await run(session, "Promise.reject(new TypeError('left behind'));\nthrow new Error('failed');");
    assert.equal(r.ok, false);
    assert.match(r.error.message, /Error: failed/);
    assert.deepEqual(r.warnings, [
      { message: "Unhandled promise rejection: TypeError: left behind (at line 1 of your code)" },
    ]);
  });

  test("a flood of rejections is cut at 20 with a count of the rest", async () => {
    const r = await run(session, "for (let i = 0; i < 50; i++) Promise.reject(new Error('r' + i));\n'done'");
    assert.equal(r.ok, true, r.text);
    assert.equal(r.warnings.length, 21);
    assert.equal(r.warnings[20].message, "…and 30 more unhandled promise rejections");
  });
});

describe("no network in the sandbox", () => {
  test("fetch() fails with the gateway's explanation", async () => {
    const r = await run(
      session,
      `try { await fetch("https://example.com/"); return "reached"; } catch (e) { return e.message; }`,
    );
    assert.equal(r.ok, true, r.text);
    assert.match(r.result, /^fetch\(\) is not available: the sandbox has no network/);
    assert.match(r.result, NO_NETWORK);
  });

  test("connect() fails with the gateway's explanation", async () => {
    const r = await run(session, `try { connect("127.0.0.1:22"); return "reached"; } catch (e) { return e.message; }`);
    assert.match(r.result, /^connect\(\) is not available/);
    assert.match(r.result, NO_NETWORK);
  });

  test("new WebSocket() fails with the gateway's explanation", async () => {
    const r = await run(
      session,
      `try { new WebSocket("wss://example.com/"); return "opened"; } catch (e) { return e.message; }`,
    );
    assert.match(r.result, NO_NETWORK);
  });

  test("importing cloudflare:sockets is refused with the same explanation", async () => {
    const r = await run(session, 'import { connect } from "cloudflare:sockets";\nconnect("127.0.0.1:22");');
    assert.equal(r.error.kind, "import");
    assert.match(r.error.message, /Cannot import "cloudflare:sockets": the sandbox has no network/);
  });
});
