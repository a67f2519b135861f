import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

let gateway: Gateway;
let session: Session;

before(async () => {
  gateway = await startGateway();
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
});

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

  test("a type error outside the tool surface runs and comes back as a warning", async () => {
    const r = await run(session, 'const n: number = "abc";\nreturn n;');
    assert.equal(r.ok, true);
    assert.equal(r.result, "abc");
    assert.deepEqual(r.warnings, [
      { line: 1, column: 7, message: "Type 'string' is not assignable to type 'number'." },
    ]);
  });
});

describe("type check policies", () => {
  test("warn: a wrong argument type runs and the diagnostic comes back as a warning", async () => {
    const g = await startGateway({ config: { typecheck: "warn" } });
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
