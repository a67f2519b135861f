/**
 * The bridge is the sandbox's only capability, so its surface is tested through real workerd RPC from inside a
 * Worker Loader isolate (test/support/bridge-probe), which gets it as the executor hands it over: an argument of the
 * entrypoint's method, with an empty env. Exactly `call` and `host` answer; everything else a sandbox could try on
 * the stub (the host's state, the session's own methods, fetch) fails; and the execution a call acts for is the
 * one the host created the bridge for, whatever the sandbox passes. (Agent code cannot reach the bridge at all:
 * the harness keeps it in module scope, and the hostile corpus shows cloudflare:workers and process are closed.)
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { unstable_startWorker } from "wrangler";

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;
let worker: Worker;
let url: URL;

before(async () => {
  worker = await unstable_startWorker({
    config: "test/support/bridge-probe/wrangler.toml",
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      persist: false,
      watch: false,
      logLevel: "warn",
    },
  } as never);
  await worker.ready;
  url = new URL(await worker.url);
});
after(async () => {
  await worker?.dispose();
});

/** Runs `body` (an async function body with `bridge` and `env` in scope) in the probe isolate; its JSON result. */
async function probe(body: string): Promise<any> {
  const response = await fetch(url, { method: "POST", body });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text);
}

test("the isolate's env is empty: the bridge arrives only as an argument", async () => {
  assert.deepEqual(await probe("return Object.keys(env);"), []);
});

test("the bridge stub shows no methods of its own to enumerate", async () => {
  assert.deepEqual(await probe("return [Object.keys(bridge), Object.getOwnPropertyNames(bridge)];"), [[], []]);
});

test("only call and host answer; host internals and other names are not methods of the bridge", async () => {
  const outcomes = await probe(`
const out = {};
for (const name of ["ctx", "env", "props", "bridgeCall", "bridgeHost", "run", "stop", "constructor", "then", "call", "host"]) {
  try {
    const value = await bridge[name]("workspace", "read_file", "{}");
    out[name] = "answered " + typeof value;
  } catch (e) {
    out[name] = String(e.message);
  }
}
return out;`);
  const notAMethod = (name: string) => `The RPC receiver does not implement the method "${name}".`;
  assert.deepEqual(outcomes, {
    ctx: notAMethod("ctx"),
    env: notAMethod("env"),
    props: notAMethod("props"),
    bridgeCall: notAMethod("bridgeCall"),
    bridgeHost: notAMethod("bridgeHost"),
    run: notAMethod("run"),
    stop: notAMethod("stop"),
    // The stub is not a constructor, and has no then (so awaiting it cannot call into the host).
    constructor:
      "Failed to construct 'JsRpcStub': Please use the 'new' operator, this object constructor cannot be called as a function.",
    // biome-ignore lint/suspicious/noThenProperty: the key names the probed property.
    then: "bridge[name] is not a function",
    call: "answered object",
    host: "answered object",
  });
});

test("fetch on the bridge reaches no handler", async () => {
  const r = await probe(
    `try { const res = await bridge.fetch("http://x/"); return "status " + res.status; } catch (e) { return e.message; }`,
  );
  assert.equal(r, 'The RPC receiver does not implement the method "fetch".');
});

test("a call acts for the execution the host created the bridge for, whatever the sandbox passes", async () => {
  const r = await probe(
    `return await bridge.call("workspace", "read_file", JSON.stringify({ path: "/a", execution: "exe_other" }));`,
  );
  assert.equal(r.ok, true);
  assert.deepEqual(JSON.parse(r.value), {
    via: "bridgeCall",
    execution: "exe_probe",
    server: "workspace",
    tool: "read_file",
    argsJson: '{"path":"/a","execution":"exe_other"}',
  });
});

test("malformed calls are rejected by the bridge before they reach the session", async () => {
  const r = await probe(`return [
  await bridge.call("workspace", "read_file", { path: "/a" }),
  await bridge.call({ toString() { return "workspace"; } }, "read_file", "{}"),
  await bridge.call("x".repeat(600), "read_file", "{}"),
  await bridge.host("state.get", { key: "k" }),
  await bridge.host("x".repeat(100), "{}"),
];`);
  const rejected = {
    ok: false,
    status: "rejected",
    error: "malformed tool call: expected (server, tool, JSON arguments)",
  };
  const badOp = { ok: false, status: "rejected", error: "malformed gateway operation" };
  assert.deepEqual(r, [rejected, rejected, rejected, badOp, badOp]);
});

test("a gateway operation acts for the execution the host created the bridge for", async () => {
  const r = await probe(`return await bridge.host("state.get", JSON.stringify({ key: "k" }));`);
  assert.deepEqual(JSON.parse(r.value), {
    via: "bridgeHost",
    execution: "exe_probe",
    op: "state.get",
    argsJson: '{"key":"k"}',
  });
});
