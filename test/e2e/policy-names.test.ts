/**
 * Names from outside are data, never keys of plain objects. One upstream (test/support/names-upstream.mjs) lists
 * tools named like Object.prototype's members, and the gateway's configuration uses the same names everywhere a
 * name can appear: servers, approval policies (server default and per tool), allow/deny filters, defer_loading,
 * headers. The test then takes every lookup keyed by such a name through the gateway, end to end: policies,
 * filters, headers, state keys, skill names and imports, search and details, direct calls, argument properties,
 * logged and returned values, and change detection.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "then"];
/** Every one of these names is exported with a trailing "_" (the identifier rule). */
const id = (name: string) => `${name}_`;
/** An object with one own key per name (`Object.fromEntries` keeps "__proto__" as a key). */
const each = <V>(value: (name: string) => V) => Object.fromEntries(NAMES.map((n) => [n, value(n)]));
const UPSTREAM = fileURLToPath(new URL("../support/names-upstream.mjs", import.meta.url));

const CONFIG = () => ({
  network: { allow_loopback: true },
  // The lookups under test are the host's; the type check would refuse some calls before they reach it.
  typecheck: "off",
  allow_direct_tool_calls: true,
  servers: [
    { name: "denied", url: upstream.url, approval: { default: "deny" } },
    { name: "asked", url: upstream.url, approval: { default: "allow", tools: each(() => "ask") } },
    { name: "toString", url: upstream.url, approval: { tools: each(() => "deny") } },
    {
      name: "constructor",
      url: upstream.url,
      tools: { allow: [...NAMES, "headers"], deny: ["valueOf"] },
      defer_loading: ["constructor", "__proto__"],
      headers: each((n) => `h-${n}`),
    },
  ],
});

let upstream: Upstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  upstream = await startNodeUpstream(UPSTREAM, []);
  // As a JSON string: wrangler's json bindings drop a "__proto__" key on the way to workerd; the gateway parses text.
  gateway = await startGateway({
    vars: { GATEWAY_CONFIG: JSON.stringify(CONFIG()) },
  });
  session = await connect(gateway.mcpUrl);
});

after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

const upstreamCalls = async (): Promise<string[]> => (await fetch(new URL("/calls", upstream.url))).json() as never;

/** Calls every name-tool of a module from code; answers [name, "ran" | error message] pairs. */
const callEach = (module: string) =>
  run(
    session,
    `import * as m from "servers/${module}";
const out = [];
for (const n of ${JSON.stringify(NAMES)}) {
  try { await m[n + "_"]({}); out.push([n, "ran"]); } catch (e) { out.push([n, e.message]); }
}
return out;`,
  );

describe("names that are JavaScript object keys", () => {
  test("every lookup keyed by a name from outside finds only that name's own entry", async () => {
    await fetch(new URL("/calls", upstream.url), { method: "DELETE" });

    // Approval: a server's default "deny" and per-tool "deny" hold for every name; nothing reaches the upstream.
    for (const module of ["denied", "toString_"]) {
      const r = await callEach(module);
      assert.equal(r.ok, true, r.text);
      for (const [name, outcome] of r.result) {
        assert.match(outcome, /denied by the gateway's approval policy/, `${module}.${name} ran: ${outcome}`);
      }
    }
    assert.deepEqual(await upstreamCalls(), [], "a denied tool reached the upstream");

    // Approval: per-tool "ask" holds for every name (no elicitation here: the execution stops for approval).
    for (const name of NAMES) {
      const r = await run(session, `import { ${id(name)} } from "servers/asked";\nreturn await ${id(name)}({});`);
      assert.equal(r.status, "approval_required", `asked.${name}: ${r.text}`);
      assert.equal(r.approval.tool, name);
    }
    assert.deepEqual(await upstreamCalls(), [], "a tool needing approval ran without it");

    // Allow/deny filters and defer_loading.
    const visible = await session.data("list_tool_names", { server: "constructor" });
    const all = await session.data("list_tool_names", { server: "constructor", include_deferred: true });
    assert.deepEqual(
      [...all.tools].sort(),
      ["constructor.__proto___", "constructor.constructor_", "constructor.hasOwnProperty_", "constructor.headers"]
        .concat(["constructor.then_", "constructor.toString_"])
        .sort(),
    );
    assert.deepEqual(
      all.tools.filter((t: string) => !visible.tools.includes(t)).sort(),
      ["constructor.__proto___", "constructor.constructor_"],
      "exactly the tools named in defer_loading are deferred",
    );

    // Headers: every configured header is sent, "__proto__" included.
    const sent = await run(session, 'import { headers } from "servers/constructor_";\nreturn await headers({});');
    assert.equal(sent.ok, true, sent.text);
    const received = new Map<string, string>(sent.result);
    for (const name of NAMES) assert.equal(received.get(name.toLowerCase()), `h-${name}`, `header ${name}`);

    // Argument properties, logged values and returned values keep every name as an own key.
    const echoed = await run(
      session,
      `import { then_ } from "servers/constructor_";
console.log(JSON.parse('{"__proto__":1,"constructor":2,"toString":3}'));
const args = { constructor: "a", toString: "b", valueOf: "c", hasOwnProperty: "d", then: "e" };
return { echoed: await then_(args), parsed: JSON.parse('{"__proto__":{"then":1},"valueOf":2}') };`,
    );
    assert.equal(echoed.ok, true, echoed.text);
    assert.deepEqual(echoed.result.echoed, {
      tool: "then",
      // biome-ignore lint/suspicious/noThenProperty: an argument named "then" is the point.
      arguments: { constructor: "a", toString: "b", valueOf: "c", hasOwnProperty: "d", then: "e" },
    });
    assert.equal(JSON.stringify(echoed.result.parsed), '{"__proto__":{"then":1},"valueOf":2}');
    assert.deepEqual(echoed.logs, ['{"__proto__":1,"constructor":2,"toString":3}']);

    // A direct call's arguments keep the same names; "__proto__", which the sandbox refuses from code, is refused
    // with the reason instead of being dropped on the way (it never reaches the upstream).
    // biome-ignore lint/suspicious/noThenProperty: an argument named "then" is the point.
    const odd = { constructor: "a", toString: "b", valueOf: "c", hasOwnProperty: "d", then: "e" };
    const direct = await session.call("call_tool", { server: "constructor", tool: "then", arguments: odd });
    assert.equal(direct.isError, undefined, JSON.stringify(direct.content));
    assert.deepEqual(JSON.parse((direct.content[0] as { text: string }).text), { tool: "then", arguments: odd });
    const proto = JSON.parse('{"__proto__": "x", "valueOf": "c"}');
    const refused = await session.call("call_tool", { server: "constructor", tool: "then", arguments: proto });
    assert.equal(refused.isError, true);
    assert.match(
      (refused.content[0] as { text: string }).text,
      /call_tool: arguments: the key "__proto__" is not allowed \(it cannot/,
    );

    // State keys.
    const state = await run(
      session,
      `import { state } from "gateway";
const names = ${JSON.stringify(NAMES)};
const before = [];
for (const n of names) before.push(await state.get(n));
for (const n of names) await state.set(n, n + "!");
const after = [];
for (const n of names) after.push(await state.get(n));
const deleted = await state.delete("toString");
return { before, after, keys: await state.keys(), deleted, gone: await state.get("toString") };`,
    );
    assert.equal(state.ok, true, state.text);
    assert.deepEqual(state.result, {
      before: NAMES.map(() => null),
      after: NAMES.map((n) => `${n}!`),
      keys: NAMES.filter((n) => n !== "toString").sort(),
      deleted: true,
      gone: null,
    });

    // Skill names and skill imports: refused or not found, with a clear message each.
    for (const name of NAMES) {
      const saved = await session.call("save_skill", {
        name,
        description: "x",
        code: "export default async function f() { return 1; }",
      });
      assert.equal(saved.isError, true, `save_skill ${name}`);
      assert.match((saved.content[0] as { text: string }).text, /reserved word|skill names are/);
      for (const tool of ["get_skill", "run_skill", "delete_skill"]) {
        const r = await session.call(tool, { name });
        assert.equal(r.isError, true, `${tool} ${name}`);
        assert.match((r.content[0] as { text: string }).text, /not a skill name|no skill/);
      }
      const imported = await run(session, `import { x } from "skills/${name}";\nreturn x;`);
      assert.equal(imported.error?.kind, "import", `import skills/${name}: ${imported.text}`);
    }

    // Search, details and direct calls by name.
    for (const name of NAMES) {
      // "then" alone is a stop word: search rightly abstains on it.
      const found = await session.data("search_tools", { query: name === "then" ? "then echoes" : name, limit: 10 });
      assert.ok(
        found.tools.some((t: { name: string }) => t.name === id(name)),
        `search_tools "${name}": ${JSON.stringify(found.tools.map((t: { name: string }) => t.name))}`,
      );
      const details = await session.call("get_tool_details", { tools: [`denied.${name}`] });
      assert.equal(details.isError, undefined, `get_tool_details denied.${name}`);
      const direct = await session.call("call_tool", { server: "denied", tool: name, arguments: {} });
      assert.match((direct.content[0] as { text: string }).text, /denied by the gateway's approval policy/);
      const server = await session.call("call_tool", { server: name, tool: "headers", arguments: {} });
      const known = name === "constructor" || name === "toString";
      assert.equal(server.isError === true, !known, `call_tool server ${name}`);
      if (!known) assert.match((server.content[0] as { text: string }).text, /unknown server/);
    }
    assert.deepEqual(await upstreamCalls(), ["headers", "then", "then", "headers", "headers"]);

    // Change detection: the first-seen definition of every tool is remembered, "__proto__" included.
    await fetch(new URL("/mutate", upstream.url), { method: "POST" });
    const listed = await session.data("list_servers", { refresh: true });
    const ctor = listed.servers.find((s: { name: string }) => s.name === "constructor");
    assert.deepEqual(
      [...ctor.changed_tools].sort(),
      ["__proto__", "constructor", "hasOwnProperty", "headers", "then", "toString"].sort(),
    );
  });
});
