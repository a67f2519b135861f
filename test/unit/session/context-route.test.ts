import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRequestStateCodec } from "@modelcontextprotocol/server";
import { chooseContext, mintContextId } from "../../../src/session/context-route";

const call = (args: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "execute_code", arguments: args, ...extra },
});

describe("chooseContext", () => {
  it("routes a call without a context, and every other method, to the default context", () => {
    assert.deepEqual(chooseContext(call({ code: "1" })), { ok: true, context: "default", minted: false });
    assert.deepEqual(chooseContext({ jsonrpc: "2.0", id: 1, method: "tools/list" }), {
      ok: true,
      context: "default",
      minted: false,
    });
  });

  it('mints a fresh ctx_ id for "new"', () => {
    const choice = chooseContext(call({ context: "new" }));
    assert.ok(choice.ok && choice.minted);
    assert.match(choice.context, /^ctx_[a-z2-7]{20}$/);
  });

  it("keeps a well-formed context id", () => {
    const id = mintContextId();
    assert.deepEqual(chooseContext(call({ context: id })), { ok: true, context: id, minted: false });
  });

  it("refuses anything else with a message naming the allowed values", () => {
    for (const bad of ["mine", "ctx_short", "CTX_AAAAAAAAAAAAAAAAAAAA", 7, null, "__proto__"]) {
      const choice = chooseContext(call({ context: bad }));
      assert.equal(choice.ok, false, String(bad));
      assert.match((choice as { error: string }).error, /pass "default", "new"/);
    }
  });

  it("routes a retry by the context named in its request state, not by a new mint", async () => {
    const id = mintContextId();
    const codec = createRequestStateCodec<{ handle: string; context: string }>({ key: new Uint8Array(32) });
    const state = await codec.mint({ handle: "apr_x", context: id });
    assert.deepEqual(chooseContext(call({ context: "new" }, { requestState: state })), {
      ok: true,
      context: id,
      minted: false,
    });
  });

  it("routes unreadable request state to the default context (whose verification refuses it)", () => {
    assert.deepEqual(chooseContext(call({}, { requestState: "v1.!!!.x" })), {
      ok: true,
      context: "default",
      minted: false,
    });
  });
});
