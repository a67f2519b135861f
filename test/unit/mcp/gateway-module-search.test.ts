/**
 * search_tools finds the gateway's own module (`state`, `progress`) for requests about what it does, and never for
 * requests about upstream tools: it is listed apart, but every hit costs the reply tokens.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GATEWAY_DECLARATION, GATEWAY_EXPORTS } from "../../../src/codegen/gateway-module";
import { searchGatewayModule } from "../../../src/mcp/gateway-module-search";

const found = (query: string) => searchGatewayModule(query).map((h) => h.name);

describe("the gateway module in search_tools", () => {
  it("is found for what state and progress are for", () => {
    for (const query of [
      "keep a value between executions",
      "remember something for the next execution",
      "persist state",
      "store a value",
      "get the previous execution's result",
    ]) {
      assert.deepEqual(found(query), ["state"], query);
    }
    for (const query of ["report progress", "tell the client how much is done"]) {
      assert.deepEqual(found(query), ["progress"], query);
    }
  });

  it("is not found for requests about other tools, even ones sharing a word", () => {
    for (const query of [
      "read a file",
      "save a file",
      "delete a file",
      "list directory",
      "get the status of a pull request",
      "report a bug",
      "create an issue with the results",
      "send a message to the user",
    ]) {
      assert.deepEqual(found(query), [], query);
    }
  });

  it("shows the import line and the declaration the type check uses", () => {
    const [state] = searchGatewayModule("persist state");
    assert.equal(state?.import, 'import { state } from "gateway";');
    assert.equal(state?.module, "gateway");
    for (const line of state!.declaration.split("\n")) assert.ok(GATEWAY_DECLARATION.includes(`  ${line}`), line);
    assert.deepEqual(GATEWAY_EXPORTS, ["state", "progress"]);
  });

  it("declares state.set as it behaves: undefined is refused, not a deletion", () => {
    // worker-loader/gateway.js refuses state.set(key, undefined); a declaration saying it deletes the key leads a
    // program into that refusal.
    const set = GATEWAY_DECLARATION.split("\n").findIndex((l) => /^\s*set\(key: string, value: unknown\)/.test(l));
    const doc = GATEWAY_DECLARATION.split("\n")[set - 1] ?? "";
    assert.doesNotMatch(doc, /undefined deletes/);
    assert.match(doc, /undefined is refused/);
    assert.match(doc, /state\.delete/);
  });
});
