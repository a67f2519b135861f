import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

let upstream: Upstream;
/** Tools whose optional input properties are named like Object.prototype's members (test/support/names-upstream.mjs). */
let names: Upstream;
let gateway: Gateway;
let session: Session;

/** The gateway's config: the workspace and the test upstream, whose `echo` declares no outputSchema. */
const config = (typecheck: string) => ({
  typecheck,
  network: { allow_loopback: true },
  servers: [
    { name: "workspace", url: "builtin:workspace" },
    { name: "slow", url: upstream.url },
    { name: "names", url: names.url },
  ],
});

before(async () => {
  upstream = await startNodeUpstream(new URL("../support/slow-upstream.mjs", import.meta.url).pathname, []);
  names = await startNodeUpstream(new URL("../support/names-upstream.mjs", import.meta.url).pathname, []);
  gateway = await startGateway({ config: config("tools") });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await upstream?.stop();
  await names?.stop();
});

/** Polls get_tool_details until the tool has an observed output type (observations are written in the background). */
async function observedDetails(s: Session, tool: string, calls: number): Promise<any> {
  for (let i = 0; i < 50; i++) {
    const { tools } = await s.data("get_tool_details", { tools: [tool] });
    if (tools[0].observed_output?.calls >= calls) return tools[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${tool} has no observed output type from ${calls} calls`);
}

describe("type check before anything runs (policy tools)", () => {
  test("a wrong argument type is refused as a type error at its line and column, before any tool call", async () => {
    const code = [
      'import { write_file, read_file } from "servers/workspace";',
      'await write_file({ path: "/tc/a.txt", content: "x" });',
      "const r = await read_file({ path: 42 });",
      "return r;",
    ].join("\n");
    const r = await run(session, code);
    assert.equal(r.ok, false);
    assert.equal(r.error.kind, "type");
    assert.equal(r.error.line, 3);
    assert.equal(r.error.column, 29);
    assert.match(r.error.message, /Type 'number' is not assignable to type 'string'/);
    assert.match(r.error.message, /The declaration of servers\/workspace\.read_file:/);
    assert.match(r.error.message, /export declare function read_file\(args: ReadFileInput\)/);
    assert.deepEqual(r.tool_calls, []);
    const after = await run(
      session,
      'import { list_directory } from "servers/workspace"; return await list_directory({ path: "/" });',
    );
    assert.equal(after.ok, true);
    assert.ok(!JSON.stringify(after.result).includes("tc"), "the write on line 2 never ran");
  });

  test("a missing await on a tool's promise is refused, naming the fix", async () => {
    const code =
      'import { read_file } from "servers/workspace";\nconst r = read_file({ path: "/x" });\nreturn r.content;';
    const r = await run(session, code);
    assert.equal(r.error?.kind, "type");
    assert.equal(r.error.line, 3);
    assert.match(r.error.message, /Property 'content' does not exist on type 'Promise<any>'/);
    assert.match(r.error.message, /forget to use 'await'/);
  });

  test("a misspelled argument property is refused with the compiler's suggestion", async () => {
    const code = 'import { read_file } from "servers/workspace";\nreturn await read_file({ pth: "/x" });';
    const r = await run(session, code);
    assert.equal(r.error?.kind, "type");
    assert.equal(r.error.line, 2);
    assert.match(r.error.message, /'pth' does not exist in type 'ReadFileInput'/);
  });

  test("a correct program runs with no warnings", async () => {
    const code = [
      'import { write_file, read_file } from "servers/workspace";',
      'await write_file({ path: "/ok.txt", content: "hello" });',
      'const text: string = await read_file({ path: "/ok.txt" });',
      "return text.toUpperCase();",
    ].join("\n");
    const r = await run(session, code);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.result, "HELLO");
    assert.equal(r.warnings, undefined);
  });

  test("the everyday catch (e) { e.message } runs with no warning about unknown", async () => {
    // Under `strict` alone a catch variable is `unknown`, and every such program came back with TS18046.
    const code = [
      'import { read_file } from "servers/workspace";',
      'try { await read_file({ path: "/no/such/file.txt" }); } catch (e) { return "failed: " + e.message; }',
    ].join("\n");
    const r = await run(session, code);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.match(String(r.result), /^failed: /);
    assert.equal(r.warnings, undefined, JSON.stringify(r.warnings));
  });

  test("a type-only import of another tool's result type is accepted", async () => {
    const code = [
      'import type { ListDirectoryOutput } from "servers/workspace";',
      'import { write_file } from "servers/workspace";',
      'const none: ListDirectoryOutput = { path: "/", entries: [] };',
      'const w = await write_file({ path: "/types.txt", content: "t" });',
      "return [w.bytes, none.entries.length];",
    ].join("\n");
    const r = await run(session, code);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.deepEqual(r.result, [1, 0]);
    assert.equal(r.warnings, undefined);
  });

  test("optional properties named like Object.prototype's members may be left out, and are still type-checked", async () => {
    const code = [
      'import { valueOf_ } from "servers/names";',
      "const none = await valueOf_({});",
      'const some = await valueOf_({ toString: "t", constructor: "c", hasOwnProperty: "h" });',
      "return [none, some];",
    ].join("\n");
    const r = await run(session, code);
    assert.equal(r.ok, true, r.text);
    const given: Record<string, string> = { toString: "t", constructor: "c", hasOwnProperty: "h" };
    assert.deepEqual(r.result, [
      { tool: "valueOf", arguments: {} },
      { tool: "valueOf", arguments: given },
    ]);
    const wrong = await run(session, 'import { valueOf_ } from "servers/names";\nawait valueOf_({ toString: 1 });');
    assert.equal(wrong.ok, false);
    assert.equal(wrong.error.kind, "type", wrong.text);
    assert.deepEqual(wrong.tool_calls, []);
  });

  test("a type error outside the tool surface runs and comes back as a warning", async () => {
    const r = await run(session, 'const n: number = "abc";\nreturn n;');
    assert.equal(r.ok, true);
    assert.equal(r.result, "abc");
    assert.deepEqual(r.warnings, [
      { line: 1, column: 7, message: "Type 'string' is not assignable to type 'number'." },
    ]);
    assert.match(r.text, /warnings:\n {2}line 1:7 Type 'string' is not assignable to type 'number'\./);
  });

  test("what the sandbox offers type-checks: crypto.subtle and the process stand-in", async () => {
    const code = [
      'const bytes = new TextEncoder().encode("abc");',
      'const digest = await crypto.subtle.digest("SHA-256", bytes);',
      "return [new Uint8Array(digest).length, Object.keys(process.env).length];",
    ].join("\n");
    const r = await run(session, code);
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, [32, 0]);
    assert.equal(r.warnings, undefined, JSON.stringify(r.warnings));
  });

  test("a top-level return of an arrow function is checked like any expression, without bogus syntax errors", async () => {
    for (const code of ["return () => 1;", "return async () => 1", "if (true) { return (x: number) => x * 2 }"]) {
      const r = await run(session, code);
      assert.equal(r.ok, true, r.text);
      assert.equal(r.warnings, undefined, `${code}: ${JSON.stringify(r.warnings)}`);
    }
    const r = await run(session, "const k = 1;\nreturn (x: number) => x.foo + k; // after");
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.warnings, [{ line: 2, column: 25, message: "Property 'foo' does not exist on type 'number'." }]);
  });
});

describe("type check policies", () => {
  test("warn: a wrong argument type runs and the diagnostic comes back as a warning", async () => {
    const g = await startGateway({ config: config("warn") });
    const s = await connect(g.mcpUrl);
    try {
      const r = await run(s, 'import { read_file } from "servers/workspace";\nreturn await read_file({ path: 42 });');
      assert.equal(r.tool_calls.length, 1, "the call was made");
      assert.equal(r.warnings.length, 1);
      assert.equal(r.warnings[0].line, 2);
      assert.match(r.warnings[0].message, /not assignable to type 'string'/);
    } finally {
      await s.close();
      await g.dispose();
    }
  });
});

describe("observed output types", () => {
  test("before any call a tool without outputSchema declares unknown and any result access is accepted", async () => {
    const { tools } = await session.data("get_tool_details", { tools: ["slow.sleep"] });
    assert.match(tools[0].declaration, /export type SleepOutput = unknown;/);
    assert.equal(tools[0].observed_output, undefined);
    const r = await run(
      session,
      'import { sleep } from "servers/slow";\nconst r = await sleep({ ms: 1 });\nreturn r.whatever?.deep;',
    );
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.warnings, undefined);
  });

  test("after calls get_tool_details declares the observed type, marked with its call count", async () => {
    const code = [
      'import { echo } from "servers/slow";',
      'await echo({ value: { name: "a.txt", size: 1 } });',
      'await echo({ value: { name: "b.txt" } });',
      "return 0;",
    ].join("\n");
    assert.equal((await run(session, code)).ok, true);
    const tool = await observedDetails(session, "slow.echo", 2);
    assert.deepEqual(tool.observed_output, { type: "{ value: { name: string; size?: number } }", calls: 2 });
    assert.match(tool.declaration, /Observed from 2 calls: the tool declares no outputSchema/);
    assert.match(tool.declaration, /@observed/);
    assert.match(tool.declaration, /export type EchoOutput = \{ value: \{ name: string; size\?: number \} \};/);
  });

  test("policy tools: a read against an observed type is a warning, and the program runs", async () => {
    await observedDetails(session, "slow.echo", 2);
    const code =
      'import { echo } from "servers/slow";\nconst r = await echo({ value: { name: "c" } });\nreturn [r.value.nme];';
    const r = await run(session, code);
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.deepEqual(r.result, [null]);
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0].line, 3);
    assert.match(
      r.warnings[0].message,
      /Property 'nme' does not exist on type '\{ name: string; size\?: number \| undefined; \}'. Did you mean 'name'\?/,
    );
  });

  test("policy strict: a read against an observed type is refused before any tool call", async () => {
    const g = await startGateway({ config: config("strict") });
    const s = await connect(g.mcpUrl);
    try {
      await run(s, 'import { echo } from "servers/slow";\nawait echo({ value: { name: "a" } });\nreturn 0;');
      await observedDetails(s, "slow.echo", 1);
      const r = await run(
        s,
        'import { echo } from "servers/slow";\nconst r = await echo({ value: { name: "c" } });\nreturn r.value.nme;',
      );
      assert.equal(r.error?.kind, "type", JSON.stringify(r));
      assert.equal(r.error.line, 3);
      assert.deepEqual(r.tool_calls, []);
      const own = await run(s, 'const n: number = "abc";\nreturn n;');
      assert.equal(own.ok, true, "an error in the program's own code stays a warning under strict");
    } finally {
      await s.close();
      await g.dispose();
    }
  });
});

describe("skills and the type check", () => {
  const BAD_SKILL = [
    'import { read_file } from "servers/workspace";',
    "export default async function bad_read(input: { path: string }) {",
    "  return await read_file({ path: input.path.length });",
    "}",
  ].join("\n");

  test("save_skill refuses a skill whose tool call has a type error, at its line", async () => {
    const r = await session.call("save_skill", { name: "bad_read", description: "reads", code: BAD_SKILL });
    assert.equal(r.isError, true);
    const text = (r.content[0] as any).text;
    // Its line is named once, where the error is described.
    assert.match(text, /: the skill's code has type errors: Type error \(line 3, column \d+\): /);
    assert.equal(text.match(/\bline 3\b/g)?.length, 1, text);
    assert.match(text, /Type 'number' is not assignable to type 'string'/);
    assert.match(text, /Nothing was saved/);
  });

  test("a skill saved before the check keeps running, and list_skills flags it", async () => {
    const warn = await startGateway({ config: config("warn"), keepState: true });
    const persistDir = warn.persistDir;
    const w = await connect(warn.mcpUrl);
    const saved = await w.data("save_skill", { name: "bad_read", description: "reads", code: BAD_SKILL });
    assert.equal(saved.version, 1);
    assert.match(saved.warnings[0].message, /not assignable to type 'string'/);
    await w.close();
    await warn.dispose();

    const strict = await startGateway({ config: config("tools"), persistDir });
    const s = await connect(strict.mcpUrl);
    try {
      const { skills } = await s.data("list_skills");
      const bad = skills.find((k: any) => k.name === "bad_read");
      assert.match(bad.type_errors, /^Type error \(line 3, column 28\): Type 'number' is not assignable/);
      const r = await run(s, 'import { bad_read } from "skills/bad_read";\nreturn await bad_read({ path: "/x" });');
      assert.equal(r.error?.kind, "runtime", "it ran, and the host's argument check stopped the bad call");
      assert.equal(r.tool_calls[0].status, "rejected");
    } finally {
      await s.close();
      await strict.dispose();
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});
