import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { run, type Session, withGatewaySession } from "../support/gateway";

let session: Session;
withGatewaySession((_, s) => {
  session = s;
});

describe("discovery tools", () => {
  test("tools/list shows the meta-tools and no upstream tool", async () => {
    const { tools } = await session.client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ["list_servers", "search_tools", "get_tool_details", "execute_code"])
      assert.ok(names.includes(name));
    assert.ok(!names.includes("read_file"));
  });

  test("list_servers shows the built-in workspace with its five tools", async () => {
    const { servers } = await session.data("list_servers");
    assert.equal(servers.length, 1);
    assert.equal(servers[0].name, "workspace");
    assert.equal(servers[0].url, "builtin:workspace");
    assert.equal(servers[0].status, "ok");
    assert.equal(servers[0].tool_count, 5);
  });

  test("search_tools ranks read_file first for 'read the contents of a file' and gives its signature", async () => {
    const { tools } = await session.data("search_tools", { query: "read the contents of a file" });
    assert.equal(tools[0].server, "workspace");
    assert.equal(tools[0].name, "read_file");
    assert.match(tools[0].signature, /^read_file\(args: \{ path: string \}\): Promise</);
  });

  test("search_tools with an unknown server is an error naming the servers", async () => {
    const r = await session.call("search_tools", { query: "file", server: "nope" });
    assert.equal(r.isError, true);
    assert.match((r.content[0] as any).text, /unknown server "nope"; servers: workspace/);
  });

  test("get_tool_details gives the TypeScript declaration, import line and JSON schema", async () => {
    const { tools } = await session.data("get_tool_details", { tools: ["workspace.list_directory"] });
    assert.equal(tools.length, 1);
    assert.equal(tools[0].import, 'import { list_directory } from "servers/workspace";');
    assert.match(tools[0].declaration, /export declare function list_directory\(args: ListDirectoryInput\)/);
    assert.match(tools[0].declaration, /entries:/);
    assert.equal(tools[0].input_schema.properties.path.type, "string");
  });

  test("get_tool_details of an unknown tool is an error that says how to name tools", async () => {
    const r = await session.call("get_tool_details", { tools: ["workspace.nope"] });
    assert.equal(r.isError, true);
    assert.match((r.content[0] as any).text, /no such tool: workspace\.nope/);
  });

  test("get_tool_details suggests the full name of a tool named without its server, and close spellings", async () => {
    const r = await session.call("get_tool_details", { tools: ["read_file", "workspace.raed_file"] });
    assert.equal(r.isError, true);
    assert.equal(
      (r.content[0] as any).text,
      [
        'no such tool: read_file (did you mean "workspace.read_file"?);',
        'workspace.raed_file (did you mean "workspace.read_file", "workspace.write_file" or "workspace.delete_file"?).',
        'Name tools as "server.tool" (see list_tool_names or search_tools).',
      ].join(" "),
    );
    const partial = await session.data("get_tool_details", { tools: ["workspace.list_directory", "write_fil"] });
    assert.deepEqual(partial.not_found, ["write_fil"]);
  });
});

describe("execute_code", () => {
  test("writes two files, reads both, writes their concatenation and returns it", async () => {
    const r = await run(
      session,
      `import { read_file, write_file } from "servers/workspace";
await write_file({ path: "/a.txt", content: "hello, " });
await write_file({ path: "/b.txt", content: "world" });
const [a, b] = await Promise.all([read_file({ path: "/a.txt" }), read_file({ path: "/b.txt" })]);
await write_file({ path: "/ab.txt", content: a + b });
return await read_file({ path: "/ab.txt" });`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, "hello, world");
    assert.deepEqual(
      r.tool_calls.map((c: any) => `${c.tool}:${c.status}`),
      ["write_file:ok", "write_file:ok", "read_file:ok", "read_file:ok", "write_file:ok", "read_file:ok"],
    );
  });

  test("runs TypeScript: types, interfaces, generics and casts", async () => {
    const r = await run(
      session,
      `interface Point { x: number; y: number }
function norm<T extends Point>(p: T): number { return Math.hypot(p.x, p.y); }
const p = { x: 3, y: 4 } as Point;
return norm(p);`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, 5);
  });

  test("captures console output in order", async () => {
    const r = await run(
      session,
      `console.log("one", 1); console.warn({ two: 2 }); console.error("three"); return null;`,
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.logs, ["one 1", '[warn] {"two":2}', "[error] three"]);
  });

  test("console arguments that JSON cannot spell are written as the code would: undefined, 1n", async () => {
    const r = await run(session, "let x;\nconsole.log(x, 1n, null, [1n]);\nreturn 1;");
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.logs, ['undefined 1n null ["1n"]']);
  });

  test("structured results come back as objects, JSON-looking file text stays text", async () => {
    const r = await run(
      session,
      `import { write_file, list_directory, read_file } from "servers/workspace";
await write_file({ path: "/j/data.json", content: '{"a":1}' });
const listing = await list_directory({ path: "/j" });
const text = await read_file({ path: "/j/data.json" });
return { names: listing.entries.map((e) => e.name), type: typeof text };`,
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, { names: ["data.json"], type: "string" });
  });

  test("a syntax error is an isError result with the line of the agent's code", async () => {
    const r = await run(session, `const a = 1;\nconst b = ;\nreturn a;`);
    assert.equal(r.isError, true);
    assert.equal(r.error.kind, "syntax");
    assert.equal(r.error.line, 2);
    assert.match(r.text, /line 2/);
  });

  test("a thrown error is an isError result with its message and line", async () => {
    const r = await run(session, `const x = 1;\nthrow new Error("boom " + x);`);
    assert.equal(r.isError, true);
    assert.equal(r.error.kind, "runtime");
    assert.match(r.error.message, /Error: boom 1/);
    assert.equal(r.error.line, 2);
  });

  test("synchronous work that runs past timeout_ms finishes, and the result says it overran", async () => {
    // The deadline is a timer on the thread the program occupies: it fires only when the program waits. Filling a
    // Map with 5,000,000 entries without an await (5,000,000 steps of the 50,000,000 budget, most of a second)
    // ends after a 200 ms timeout.
    const code = "const m = new Map();\nfor (let i = 0; i < 5e6; i++) m.set(i, i);\nreturn m.size;";
    const r = await run(session, code, { timeout_ms: 200 });
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, 5_000_000);
    const overran = (r.warnings ?? []).find((w: { message: string }) => /past its timeout of 200 ms/.test(w.message));
    assert.ok(overran, JSON.stringify(r.warnings));
    assert.match(
      overran.message,
      /^the execution ran \d+ ms, past its timeout of 200 ms: a timeout stops a program only where it waits/,
    );
  });

  test("a thrown array or plain object is described as the value it was, briefly", async () => {
    const cases: Array<[string, RegExp]> = [
      ["throw [1, 2, 3];", /^Error: the code threw a non-Error value: \[1,2,3\]; throw new Error/],
      ['throw { code: 7, why: "x" };', /^Error: the code threw a non-Error value: \{"code":7,"why":"x"\}; /],
      ["throw new Array(100000).fill(12345);", /^Error: the code threw a non-Error value: \[(12345,){40,}.*…; /],
    ];
    for (const [code, message] of cases) {
      const r = await run(session, code);
      assert.equal(r.error.kind, "runtime", r.text);
      assert.match(r.error.message, message);
      assert.ok(r.error.message.length < 500, r.error.message);
    }
  });

  test("the column of a thrown error is the agent's own, on line 1 and after guards and types on its line", async () => {
    // Line 1 shares the prepared module's first line with the gateway's imports and wrapper; a loop gets a step
    // guard inserted and the type annotation is stripped before the throw on the same line.
    const cases: Array<[string, number, number]> = [
      // V8 locates a thrown Error where it was made: the `new`.
      ['throw new Error("x");', 1, 7],
      ['const n: number = 2; for (let i = 0; i < n; i++) {} throw new Error("y");', 1, 59],
      ['const a = 1;\n  const f = (x: string): never => { throw new Error(x) }; f("z");', 2, 43],
    ];
    for (const [code, line, column] of cases) {
      const r = await run(session, code);
      assert.equal(r.error.kind, "runtime", r.text);
      assert.deepEqual([r.error.line, r.error.column], [line, column], code);
    }
  });

  test("importing an unknown server is an isError result listing what exists", async () => {
    const r = await run(session, `import { read_file } from "servers/workspaces";\nreturn 1;`);
    assert.equal(r.isError, true);
    assert.equal(r.error.kind, "import");
    assert.match(r.error.message, /servers\/workspaces/);
    assert.match(r.error.message, /workspace/);
  });

  test("a failing tool call throws an Error carrying the upstream's message", async () => {
    const r = await run(
      session,
      `import { read_file } from "servers/workspace";
try { await read_file({ path: "/missing.txt" }); return "no error"; } catch (e) { return e.message; }`,
    );
    assert.equal(r.ok, true, r.text);
    assert.match(r.result, /file not found: \/missing\.txt/);
    assert.equal(r.tool_calls[0].status, "error");
  });

  test("a write the store refuses keeps the store's message (the session's held workspace handle)", async () => {
    const r = await run(
      session,
      `import { write_file, list_directory } from "servers/workspace";
const out = [];
for (const call of [() => write_file({ path: "/a/../b.txt", content: "x" }), () => list_directory({ path: "/x/../y" })]) {
  try { await call(); out.push("no error"); } catch (e) { out.push(e.message); }
}
return out;`,
    );
    assert.equal(r.ok, true, r.text);
    assert.match(r.result[0], /uses '\.\.', which the workspace refuses/);
    assert.match(r.result[1], /uses '\.\.', which the workspace refuses/);
    for (const message of r.result) assert.doesNotMatch(message, /may or may not have been applied/);
  });

  test("the sandbox has no network: fetch fails with a clear error", async () => {
    const r = await run(
      session,
      `try { await fetch("https://example.com/"); return "reached"; } catch (e) { return e.message; }`,
    );
    assert.equal(r.ok, true, r.text);
    assert.match(r.result, /fetch\(\) is not available: the sandbox has no network/);
  });
});
