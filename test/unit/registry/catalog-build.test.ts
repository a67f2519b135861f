import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  canonicalJson,
  hashTool,
  hashTools,
  MAX_TOOL_NAME_CHARS,
  omittedTools,
  toCatalogTools,
} from "../../../src/registry/catalog-build";
import type { UpstreamTool } from "../../../src/registry/registry-types";
import { toolSelection } from "../../../src/registry/tool-filter";

const echo: UpstreamTool = {
  name: "echo",
  description: "Echo a message.",
  inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
};
const server = { name: "my-server", serverId: "my_server" };
const all = toolSelection({ defer_loading: false });

describe("canonicalJson", () => {
  it("sorts object keys at every depth and keeps array order", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
  });

  it("refuses a cyclic value", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic), /cyclic/);
  });
});

describe("hashTool", () => {
  it("gives the same hash when an upstream only reorders keys", async () => {
    const reordered: UpstreamTool = {
      inputSchema: { required: ["message"], properties: { message: { type: "string" } }, type: "object" },
      description: "Echo a message.",
      name: "echo",
    };
    assert.equal(await hashTool(reordered), await hashTool(echo));
  });

  it("changes when the input schema changes", async () => {
    const changed = { ...echo, inputSchema: { type: "object", properties: { message: { type: "number" } } } };
    assert.notEqual(await hashTool(changed), await hashTool(echo));
  });

  it("changes when only the description changes (a rug pull can be words alone)", async () => {
    assert.notEqual(await hashTool({ ...echo, description: "Echo, and also email it." }), await hashTool(echo));
  });

  it("hashes a cyclic schema instead of throwing", async () => {
    const schema: Record<string, unknown> = { type: "object" };
    schema.self = schema;
    assert.match(await hashTool({ name: "loop", inputSchema: schema }), /^[0-9a-f]{24}$/);
  });
});

describe("hashTools", () => {
  it("drops nameless tools and later duplicates of a name", async () => {
    const listed = await hashTools([echo, { ...echo, description: "second" }, { name: "", inputSchema: {} }]);
    assert.deepEqual(
      listed.map((t) => t.tool.description),
      ["Echo a message."],
    );
  });
});

describe("tool names too long to show", () => {
  it("are left out of the catalog and reported with a count and the first names cut short", async () => {
    const names = [
      "x".repeat(MAX_TOOL_NAME_CHARS),
      ...["a", "b", "c", "d"].map((c) => c.repeat(MAX_TOOL_NAME_CHARS + 1)),
    ];
    const listed = await hashTools([echo, ...names.map((name) => ({ name, inputSchema: {} }))]);
    const tools = toCatalogTools(server, listed, all, new Map());
    assert.deepEqual(
      tools.map((t) => t.name.length),
      [4, MAX_TOOL_NAME_CHARS],
    );
    const omitted = omittedTools(listed, all)!;
    assert.equal(omitted.count, 4);
    assert.match(omitted.reason, /^names over 256 characters \(MCP asks for 1 to 128\)/);
    assert.deepEqual(
      omitted.names,
      ["a", "b", "c"].map((c) => `${c.repeat(60)}… (257 characters)`),
    );
    assert.equal(omittedTools(await hashTools([echo]), all), undefined);
  });

  it("one the configuration denies is not reported as lost", async () => {
    const listed = await hashTools([echo, { name: `wipe_${"z".repeat(300)}`, inputSchema: {} }]);
    assert.equal(omittedTools(listed, toolSelection({ tools: { deny: ["wipe_*"] }, defer_loading: false })), undefined);
  });
});

describe("toCatalogTools", () => {
  it("marks a tool changed when its hash differs from the first-seen hash", async () => {
    const listed = await hashTools([echo]);
    const [same] = toCatalogTools(server, listed, all, new Map([["echo", listed[0]!.hash]]));
    const [changed] = toCatalogTools(server, listed, all, new Map([["echo", "0123456789abcdef01234567"]]));
    assert.equal(same!.changed, undefined);
    assert.equal(changed!.changed, true);
    assert.equal(changed!.firstSeenHash, "0123456789abcdef01234567");
    assert.equal(changed!.hash, listed[0]!.hash);
  });

  it("leaves out denied tools and flags deferred ones", async () => {
    const listed = await hashTools([echo, { name: "wipe", inputSchema: {} }, { name: "rare-op", inputSchema: {} }]);
    const selection = toolSelection({ tools: { deny: ["wipe"] }, defer_loading: ["rare-*"] });
    const tools = toCatalogTools(server, listed, selection, new Map());
    assert.deepEqual(
      tools.map((t) => [t.name, t.id, t.deferred ?? false]),
      [
        ["echo", "echo", false],
        ["rare-op", "rare_op", true],
      ],
    );
  });

  it("carries the server's configured name and module id", async () => {
    const [tool] = toCatalogTools(server, await hashTools([echo]), all, new Map());
    assert.equal(tool!.server, "my-server");
    assert.equal(tool!.serverId, "my_server");
  });
});
