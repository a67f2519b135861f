/**
 * What a model sees when its code fails (newcomer review), through a real MCP client against the gateway: errors in
 * carried functions name the function and where it came from, not a line of the current program; a name that is not
 * defined is explained (a tool or server not imported, a binding an earlier execution could not keep); a misspelt
 * tool through a namespace import is refused by the type check, and at runtime gets a "did you mean"; type-only
 * imports of a server are checked and not carried; thrown strings, logged errors and arrays of promises say what
 * they are.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, startGateway } from "../support/gateway";

describe("error messages", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({
      config: { typecheck: "tools", servers: [{ name: "workspace", url: "builtin:workspace" }] },
    });
  });
  after(async () => gateway?.dispose());

  test("an error inside a carried function names it and the execution and line it came from, with no line of the new program", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(
        s,
        "// c\n// c2\nfunction boom(x){ if (x>1) throw new Error('too big: '+x); return x }\nboom(1)",
      );
      assert.equal(first.ok, true, first.text);
      const second = await run(s, "boom(5)");
      assert.equal(second.ok, false);
      assert.equal(
        second.error.message,
        `Error: too big: 5 (in boom, carried from an earlier execution (${first.execution_id}, line 3 there))`,
      );
      assert.equal(second.error.line, undefined);
      assert.equal(second.error.column, undefined);
      // A call from the program's own line still names that line in a logged stack.
      const logged = await run(s, "try { boom(7) } catch (e) { console.log(e) }");
      assert.equal(logged.ok, true, logged.text);
      const stack = logged.logs.join("\n");
      assert.match(stack, /at boom \(carried from an earlier execution: exe_[0-9a-f]+, line 3\)/);
      assert.match(stack, /at \(line 1 of your code\)/);
      assert.doesNotMatch(stack, /__cg_main|harness\.js|agent\.js/);
    } finally {
      await s.close();
    }
  });

  test("a rejection nobody handled inside a carried function, and a stack logged live, name it as the result's error does", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(
        s,
        "// c\nfunction later(x: number) {\n  Promise.reject(new Error('late ' + x));\n  console.log(new Error('logged ' + x));\n  return x;\n}\nlater(1)",
      );
      assert.equal(first.ok, true, first.text);
      assert.deepEqual(first.warnings, [
        { message: "Unhandled promise rejection: Error: late 1 (at line 3 of your code)" },
      ]);
      const live: string[] = [];
      s.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        if (n.params.logger === "console") live.push(String(n.params.data));
      });
      const r = (await s.client.callTool({ name: "execute_code", arguments: { code: "later(2)" } }, undefined, {
        onprogress: () => {},
      })) as any;
      const second = r.structuredContent;
      assert.equal(second.result, 2, JSON.stringify(r.content));
      const origin = `carried from an earlier execution (${first.execution_id}, line 3 there)`;
      assert.deepEqual(second.warnings, [
        { message: `Unhandled promise rejection: Error: late 2 (in later, ${origin})` },
      ]);
      const stack = [
        "Error: logged 2",
        `    at later (carried from an earlier execution: ${first.execution_id}, line 4)`,
        "    at (line 1 of your code)",
      ].join("\n");
      assert.deepEqual(second.logs, [stack]);
      // The line the client was sent while the execution ran reads as the result's logs do.
      assert.deepEqual(live, [stack]);
    } finally {
      await s.close();
    }
  });

  test("a name an earlier execution declared but could not keep says why, not that the session started empty", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(s, "const helper = () => 42; function useHelper(){ return helper() }");
      assert.equal(first.ok, true, first.text);
      const second = await run(s, "useHelper()");
      assert.equal(second.ok, false);
      assert.match(
        second.error.message,
        /^ReferenceError: helper is not defined \(in useHelper, carried from an earlier execution \(exe_[0-9a-f]+, line 1 there\)\)\. helper was declared by an earlier execution but not carried over: not kept: it holds a function value \(only top-level function declarations are carried\)$/,
      );
      assert.doesNotMatch(second.error.message, /started with none/);
    } finally {
      await s.close();
    }
  });

  test("calling a tool or a server module that was not imported says how to import it", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const bare = await run(s, "const r = await read_file({ path: '/a.txt' })");
      assert.equal(
        bare.error.message,
        'ReferenceError: read_file is not defined (at line 1 of your code). read_file is a tool: import it first, import { read_file } from "servers/workspace"',
      );
      const module = await run(s, "const r = await workspace.read_file({ path: '/a.txt' })");
      assert.match(
        module.error.message,
        /^ReferenceError: workspace is not defined \(at line 1 of your code\)\. workspace is a server module, not a variable: import it first, import \* as workspace from "servers\/workspace"/,
      );
    } finally {
      await s.close();
    }
  });

  test("a misspelt tool through a namespace import is refused by the type check with a did-you-mean; at runtime it gets one too", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const code = "import * as ws from 'servers/workspace';\nawait ws.read_fil({ path: '/a.txt' })";
      const refused = await run(s, code);
      assert.equal(refused.ok, false);
      assert.equal(refused.error.kind, "type");
      assert.match(refused.error.message, /Property 'read_fil' does not exist .*Did you mean 'read_file'\?/s);
      assert.equal(refused.tool_calls.length, 0);
      // Past the check (here a @ts-ignore), the runtime TypeError names the tool meant.
      const runtime = await run(
        s,
        "import * as ws from 'servers/workspace';\n// @ts-ignore\nawait ws.read_fil({ path: '/a.txt' })",
      );
      assert.equal(runtime.ok, false, runtime.text);
      assert.equal(
        runtime.error.message,
        'TypeError: ws.read_fil is not a function (at line 3 of your code). servers/workspace has no tool "read_fil". Did you mean "ws.read_file"?',
      );
    } finally {
      await s.close();
    }
  });

  test("a type-only import of a server module is checked against its declarations, and is not carried as a value", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      // The program's own annotation is its code (a warning under the tools policy), but checked: no "Cannot find module".
      const checked = await run(
        s,
        "import type { ReadFileInput } from 'servers/workspace';\nconst a: ReadFileInput = { path: 5 };\na",
      );
      assert.equal(checked.ok, true, checked.text);
      assert.deepEqual(
        checked.warnings.map((w: { message: string }) => w.message),
        ["Type 'number' is not assignable to type 'string'."],
      );
      // A named import used only as a type: checked too, and not carried as a value import into the next run.
      const typed = await run(
        s,
        "import { ReadFileInput } from 'servers/workspace';\nconst a: ReadFileInput = { path: '/x.txt' };\na.path",
      );
      assert.equal(typed.ok, true, typed.text);
      assert.equal(typed.result, "/x.txt");
      assert.equal(typed.warnings, undefined, JSON.stringify(typed.warnings));
      const next = await run(s, "a.path");
      assert.equal(next.ok, true, next.text);
      assert.doesNotMatch(JSON.stringify(next.scope ?? {}), /ReadFileInput/);
    } finally {
      await s.close();
    }
  });

  test("a thrown string says so and how to report a failure; an array of promises left at top level says to await them", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const thrown = await run(s, "throw 'x'");
      assert.equal(
        thrown.error.message,
        'Error: the code threw a string: x; throw new Error("…") to report a failure with its line',
      );
      const pending = await run(
        s,
        "import { list_directory } from 'servers/workspace';\nconst all = [list_directory({ path: '/' })];\n1",
      );
      assert.equal(pending.ok, true, pending.text);
      const dropped = pending.scope.dropped.find((d: { name: string }) => d.name === "all");
      assert.match(dropped.reason, /it contains a promise \(an array of them: await Promise\.all\(…\)/);
      // A class instance is named without an article to get wrong ("a AggregateError").
      const instance = await run(s, "const failure = new AggregateError([], 'x');\n1");
      assert.deepEqual(instance.scope.dropped, [
        {
          name: "failure",
          reason:
            "not kept: it holds an instance of AggregateError (carry plain data, or re-create it from a declaration)",
        },
      ]);
    } finally {
      await s.close();
    }
  });
});
