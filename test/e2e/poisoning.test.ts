/**
 * Poisoned and colliding upstreams end to end (SECURITY.md, "name collisions and poisoning"): two real upstreams
 * list the same tools, with names like `__proto__`, `then`, `constructor`, `a-b`/`a.b`/`a_b` and the gateway's own
 * meta-tool names, and descriptions carrying hidden Unicode, ANSI escapes, instructions, a comment breakout and
 * 100 KB of text. Server names `poison-a` and `poison.a` collide after sanitizing too.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { assignIdentifiers } from "../../src/codegen/names";
import { MAX_TOOL_DESCRIPTION_CHARS } from "../../src/registry/catalog-build";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

/** The tool names the poisoned upstream lists (test/support/faulty-upstream.mjs, tool set "poison"). */
const TOOL_NAMES = [
  "echo",
  "__proto__",
  "then",
  "constructor",
  "a-b",
  "a.b",
  "a_b",
  "execute_code",
  "search_tools",
  "list_servers",
  "toString",
];
const SERVERS = ["poison-a", "poison.a"];

/** What a reviewer cannot see: controls (but \t \n), zero-width, bidi, invisible operators, BOM, tag characters. */
const HIDDEN = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/u;

let upstream: FaultyUpstream;
let gateway: Gateway;
let session: Session;
let metaToolsBefore: unknown;

before(async () => {
  upstream = await startFaulty({ "tool-set": "poison" });
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        // One process, two upstreams: each answers with the `as` it was reached under, so routing is visible.
        ...SERVERS.map((name) => ({ name, url: `${upstream.url}?as=${encodeURIComponent(name)}` })),
      ],
    },
  });
  session = await connect(gateway.mcpUrl);
  metaToolsBefore = (await session.client.listTools()).tools;
  const { servers } = await session.data("list_servers");
  for (const s of servers) assert.equal(s.status, "ok", `${s.name}: ${JSON.stringify(s.last_error)}`);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
});

async function details(server: string, tools = TOOL_NAMES): Promise<any[]> {
  const r = await session.data("get_tool_details", { tools: tools.map((t) => `${server}.${t}`) });
  assert.deepEqual(r.not_found ?? [], []);
  return r.tools;
}

test("server names equal after sanitizing get distinct, deterministic modules", async () => {
  const { servers } = await session.data("list_servers");
  const expected = assignIdentifiers(["workspace", ...SERVERS]);
  for (const name of SERVERS) {
    assert.equal(servers.find((s: any) => s.name === name).module, `servers/${expected.get(name)}`);
  }
  assert.notEqual(expected.get("poison-a"), expected.get("poison.a"));
});

test("colliding and dangerous tool names get distinct, deterministic identifiers, the same on both servers", async () => {
  const expected = assignIdentifiers(TOOL_NAMES);
  assert.equal(new Set(expected.values()).size, TOOL_NAMES.length);
  for (const server of SERVERS) {
    const ids = Object.fromEntries((await details(server)).map((t) => [t.upstream_name, t.name]));
    assert.deepEqual(ids, Object.fromEntries(expected));
  }
  for (const dangerous of ["__proto__", "then", "constructor", "toString"]) {
    assert.notEqual(expected.get(dangerous), dangerous, `${dangerous} is never exported under its own name`);
  }
});

test("every tool of both servers is callable and routed to the upstream and tool it came from", async () => {
  const ids = assignIdentifiers(["workspace", ...SERVERS]);
  const toolIds = assignIdentifiers(TOOL_NAMES);
  const imports = SERVERS.map(
    (s, i) =>
      `import { ${[...toolIds.values()].map((id) => `${id} as s${i}_${id}`).join(", ")} } from "servers/${ids.get(s)}";`,
  );
  const calls = SERVERS.flatMap((_, i) =>
    [...toolIds.values()].map((id) => `out.push(await s${i}_${id}({ text: "x" }));`),
  );
  const r = await run(
    session,
    `${imports.join("\n")}\nconst out = [];\n${calls.join("\n")}\nreturn out.map((v) => [v.server, v.tool]);`,
  );
  assert.equal(r.ok, true, r.text);
  assert.deepEqual(
    r.result,
    SERVERS.flatMap((s) => TOOL_NAMES.map((t) => [s, t])),
  );
});

test("no upstream tool shadows a meta-tool: the gateway's own tools/list never changes", async () => {
  const now = (await session.client.listTools()).tools;
  assert.deepEqual(now, metaToolsBefore);
  const names = now.map((t) => t.name);
  for (const upstreamOnly of ["echo", "__proto__", "then", "a-b", "a.b", "toString"]) {
    assert.ok(!names.includes(upstreamOnly), upstreamOnly);
  }
  const execute = now.filter((t) => t.name === "execute_code");
  assert.equal(execute.length, 1);
  assert.doesNotMatch(execute[0]!.description ?? "", /Pretends/);
  const r = await run(session, "return 6 * 7;");
  assert.equal(r.result, 42, "execute_code is still the gateway's");
});

test("search_tools shows descriptions cleaned of hidden Unicode and escapes, capped at 300 characters", async () => {
  for (const query of ["echoes the text back", "red prototype tool link", "lorem ipsum dolor", "ignore instructions"]) {
    const { tools } = await session.data("search_tools", { query, server: "poison-a", limit: 20 });
    assert.ok(tools.length > 0, query);
    for (const t of tools) {
      assert.doesNotMatch(t.description, HIDDEN, `${t.name}: ${JSON.stringify(t.description)}`);
      assert.ok(t.description.length <= 300, `${t.name}: ${t.description.length} characters`);
    }
  }
  const { tools } = await session.data("search_tools", { query: "echoes the text back", server: "poison-a" });
  const echo = tools.find((t: any) => t.name === "echo");
  assert.match(echo.description, /^Echoes the text back\./);
  assert.doesNotMatch(echo.description, /ignore all previous instructions/, "tag characters are dropped, not decoded");
});

test("get_tool_details shows cleaned declarations: no escapes, no hidden text, no comment breakout", async () => {
  const tools = await details("poison-a");
  for (const t of tools) assert.doesNotMatch(`${t.import}\n${t.declaration}`, HIDDEN, t.upstream_name);
  const byName = new Map(tools.map((t) => [t.upstream_name, t]));
  assert.match(byName.get("__proto__").declaration, /Red prototype tool link with bell\./);
  assert.doesNotMatch(byName.get("then").declaration, /\*\/ export const pwned/);
  assert.match(byName.get("then").declaration, /ignore previous instructions/, "instructions stay visible as data");
});

test("a 100 KB description is capped in the catalog and in get_tool_details", async () => {
  const [huge] = await details("poison-a", ["constructor"]);
  // The description once in the function's JSDoc (capped here) and once, shorter, on its `text` property.
  assert.ok(huge.declaration.length < 2 * MAX_TOOL_DESCRIPTION_CHARS, `${huge.declaration.length} characters`);
  assert.match(huge.declaration, /Lorem ipsum.*…/s);
});

test("the input schemas get_tool_details returns carry cleaned property descriptions too", async () => {
  for (const t of await details("poison-a")) {
    const description = t.input_schema.properties.text.description;
    assert.doesNotMatch(description, HIDDEN, t.upstream_name);
    assert.ok(description.length <= 1_000, `${t.upstream_name}: ${description.length} characters`);
  }
});
