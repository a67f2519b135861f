/**
 * What the gateway shows about a tool is the same wherever the agent reads it: search_tools' signature, the
 * `types.d.ts` resource and get_tool_details give one result type (observed ones marked so); the gateway's own module
 * is found by search_tools like a tool; and a tool whose name is too long to show is left out of the catalog and
 * named by list_servers, never silently lost.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

let slow: Upstream;
let long: FaultyUpstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  [slow, long] = await Promise.all([
    startNodeUpstream(new URL("../support/slow-upstream.mjs", import.meta.url).pathname, []),
    startFaulty({ "tool-set": "long-names" }),
  ]);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "slow", url: slow.url },
        { name: "long", url: long.url },
      ],
    },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await Promise.all([slow?.stop(), long?.stop()]);
});

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe("a tool's result type is the same on every surface", () => {
  const ECHO_TYPE = "{ value: { name: string; size?: number } }";

  test("before any call: unknown everywhere", async () => {
    const { tools } = await session.data("search_tools", { query: "echo", server: "slow" });
    const echo = tools.find((t: { name: string }) => t.name === "echo");
    assert.match(echo.signature, /\): Promise<unknown>$/);
    assert.equal(echo.observed_output, undefined);
  });

  test("after calls: search_tools, types.d.ts and get_tool_details all show the observed type, marked", async () => {
    const code = [
      'import { echo } from "servers/slow";',
      'await echo({ value: { name: "a.txt", size: 1 } });',
      'await echo({ value: { name: "b.txt" } });',
      "return 0;",
    ].join("\n");
    assert.equal((await run(session, code)).ok, true);
    let details: any;
    for (let i = 0; i < 50 && !(details?.observed_output?.calls >= 2); i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      details = (await session.data("get_tool_details", { tools: ["slow.echo"] })).tools[0];
    }
    assert.deepEqual(details.observed_output, { type: ECHO_TYPE, calls: 2 });

    const search = await session.call("search_tools", { query: "echo", server: "slow" });
    const hit = (search.structuredContent as any).tools.find((t: { name: string }) => t.name === "echo");
    assert.equal(hit.signature, `echo(args: { value?: unknown }): Promise<${ECHO_TYPE}>`);
    assert.deepEqual(hit.observed_output, { calls: 2 });
    assert.match(
      text(search),
      /servers\/slow echo\(args: \{ value\?: unknown \}\): Promise<\{ value: .*\}> {2}\(result type observed from 2 calls, not declared\)/,
    );

    const resource = await session.client.readResource({ uri: "gateway://servers/slow/types.d.ts" });
    const types = (resource.contents[0] as { text: string }).text;
    assert.match(types, /export type EchoOutput = \{ value: \{ name: string; size\?: number \} \};/);
    assert.match(types, /Observed from 2 calls: the tool declares no outputSchema/);
    // get_tool_details' declaration of the tool is the resource's, word for word (inside the module: indented, and
    // without `declare`, which a `declare module` block forbids).
    for (const line of details.declaration.replace("export declare function", "export function").split("\n")) {
      assert.ok(types.includes(`  ${line}`), line);
    }
    // A tool never called still declares unknown there.
    assert.match(types, /export type SleepOutput = unknown;/);
  });
});

describe("the gateway's own module is found by search_tools", () => {
  test("keeping a value between executions finds state, with its import line and declaration", async () => {
    const r = await session.call("search_tools", { query: "keep a value between executions" });
    const { gateway: found } = r.structuredContent as any;
    assert.equal(found?.[0]?.name, "state", JSON.stringify(r.structuredContent));
    assert.equal(found[0].module, "gateway");
    assert.equal(found[0].import, 'import { state } from "gateway";');
    assert.match(found[0].declaration, /export const state: \{/);
    assert.match(found[0].declaration, /set\(key: string, value: unknown\): Promise<void>;/);
    // The doc says what state.set does with undefined: refuses it, naming state.delete and null (it once said
    // "undefined deletes the key", which the gateway no longer does).
    assert.match(
      found[0].declaration,
      /\/\*\* Stores a JSON value; undefined is refused \(state\.delete\(key\) removes a key, null keeps an empty value\)\. \*\/\n\s*set\(/,
    );
    assert.doesNotMatch(found[0].declaration, /undefined deletes/);
    assert.match(text(r), /the gateway's own module:\nimport \{ state \} from "gateway";\n/);
    // What it shows is what a program is checked against: code written from it runs.
    const ran = await run(
      session,
      'import { state } from "gateway";\nawait state.set("n", 1);\nreturn await state.get("n");',
    );
    assert.equal(ran.result, 1, ran.text);
  });

  test("reporting progress finds progress", async () => {
    const { gateway: found } = await session.data("search_tools", { query: "report progress" });
    assert.deepEqual(
      found.map((g: { name: string }) => g.name),
      ["progress"],
    );
    assert.match(
      found[0].declaration,
      /export function progress\(current: number, total\?: number, message\?: string\)/,
    );
  });

  test("get_tool_details gives an export of it by gateway.<name>, beside tools, instead of 'no such tool'", async () => {
    const r = await session.call("get_tool_details", {
      tools: ["gateway.state", "workspace.read_file", "gateway.nope"],
    });
    const data = r.structuredContent as any;
    assert.equal(r.isError, undefined, text(r));
    assert.deepEqual(
      data.tools.map((t: { name: string }) => t.name),
      ["read_file"],
    );
    assert.equal(data.gateway.length, 1);
    assert.equal(data.gateway[0].name, "gateway.state");
    assert.equal(data.gateway[0].import, 'import { state } from "gateway";');
    assert.match(data.gateway[0].declaration, /export const state: \{/);
    assert.deepEqual(data.not_found, ["gateway.nope"]);
    assert.match(text(r), /import \{ state \} from "gateway"; {2}\/\/ the gateway's own module\n/);
    const alone = await session.call("get_tool_details", { tools: ["gateway.progress"] });
    assert.equal(alone.isError, undefined, text(alone));
    assert.match(text(alone), /export function progress\(/);
  });

  test("a query about upstream tools gets them, and nothing of the gateway's module", async () => {
    for (const query of ["read a file", "save a file", "delete a file", "echo the text back"]) {
      const r = await session.data("search_tools", { query });
      assert.equal(r.gateway, undefined, `${query}: ${JSON.stringify(r.gateway)}`);
      assert.ok(r.tools.length > 0, query);
    }
    const { tools } = await session.data("search_tools", { query: "read a file" });
    assert.equal(`${tools[0].server}.${tools[0].name}`, "workspace.read_file");
  });
});

describe("tool names too long to show", () => {
  test("are left out of the catalog, and list_servers names them", async () => {
    const r = await session.call("list_servers", {});
    const entry = (r.structuredContent as any).servers.find((s: { name: string }) => s.name === "long");
    assert.equal(entry.status, "ok", JSON.stringify(entry));
    assert.equal(entry.tool_count, 2);
    assert.equal(entry.omitted_tools.count, 2);
    assert.match(entry.omitted_tools.reason, /^names over 256 characters \(MCP asks for 1 to 128\)/);
    assert.deepEqual(entry.omitted_tools.names, [
      `long_${"b".repeat(55)}… (257 characters)`,
      `long_${"c".repeat(55)}… (2,005 characters)`,
    ]);
    assert.match(
      text(r),
      /\n {2}2 tools left out: names over 256 characters \(MCP asks for 1 to 128\).*: long_b+… \(257 characters\), long_c+… \(2,005 characters\)/,
    );
    const names = await session.data("list_tool_names", { server: "long" });
    assert.equal(names.tools.length, 2, JSON.stringify(names.tools));
    // The longest kept name is shown whole.
    const { tools } = await session.data("get_tool_details", { tools: [`long.long_${"a".repeat(123)}`] });
    assert.equal(tools[0].upstream_name.length, 128);
  });
});
