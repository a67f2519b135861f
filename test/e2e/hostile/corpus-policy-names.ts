/**
 * Policy bypasses of issue 12: names that are JavaScript object keys (state keys, argument properties, logged and
 * returned values, module names), approval prompts that hide what runs, and the built-in servers' route. The
 * corpus session has no elicitation, so an `ask` tool ends the execution as approval_required.
 */
import assert from "node:assert/strict";
import { type Execution, fails, NO_NETWORK, returns, returnsMatching, type Sample } from "./sample";

const NAMES = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "then"];

/** The execution stopped for approval (no elicitation in the corpus session) and its text matches each pattern. */
const awaitsApproval =
  (...patterns: RegExp[]) =>
  (r: Execution): void => {
    assert.equal(r.isError, false, r.text);
    assert.equal(r.ok, false, r.text);
    assert.equal((r as Execution & { status?: string }).status, "approval_required", r.text);
    for (const p of patterns) assert.match(r.text, p);
  };

export const policyNameSamples: Sample[] = [
  {
    name: "state keys named like Object.prototype members are stored and read back as data",
    class: "names",
    code: `import { state } from "gateway";
const names = ${JSON.stringify(NAMES)};
for (const n of names) await state.set(n, "v-" + n);
const read = [];
for (const n of names) { read.push(await state.get(n)); await state.delete(n); }
return read;`,
    expect: returns(NAMES.map((n) => `v-${n}`)),
  },
  {
    name: "a logged object keeps its own __proto__ key",
    class: "names",
    code: `console.log(JSON.parse('{"__proto__":{"x":1},"constructor":2}'));\nreturn 1;`,
    expect: (r) => {
      returns(1)(r);
      assert.deepEqual(r.logs, ['{"__proto__":{"x":1},"constructor":2}']);
    },
  },
  {
    name: "a logged Map with a __proto__ key shows that key",
    class: "names",
    code: `console.log(new Map([["__proto__", 1], ["toString", 2]]));\nreturn 1;`,
    expect: (r) => {
      returns(1)(r);
      assert.deepEqual(r.logs, ['{"__proto__":1,"toString":2}']);
    },
  },
  {
    name: "a returned object keeps its own __proto__ key",
    class: "names",
    code: `return JSON.parse('{"__proto__":{"then":1},"valueOf":2}');`,
    expect: (r) => {
      assert.equal(r.ok, true, r.text);
      assert.equal(JSON.stringify(r.result), '{"__proto__":{"then":1},"valueOf":2}');
    },
  },
  {
    name: "arguments named like Object.prototype members reach the tool as plain data",
    class: "names",
    code: `import { echo } from "servers/slow";
return await echo({ value: { constructor: 1, toString: 2, valueOf: 3, hasOwnProperty: 4, then: 5 } });`,
    // biome-ignore lint/suspicious/noThenProperty: a property named "then" is the point.
    expect: returns({ value: { constructor: 1, toString: 2, valueOf: 3, hasOwnProperty: 4, then: 5 } }),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
  {
    name: "modules named like Object.prototype members do not exist",
    class: "names",
    code: `import { a } from "servers/constructor";\nimport { b } from "skills/__proto__";\nimport { c } from "skills/toString@1";\nreturn [a, b, c];`,
    expect: fails("import", /Cannot import "servers\/constructor": no such module/),
  },
  {
    name: "regular expressions whose source is an Object.prototype member name run normally",
    class: "names",
    code: `return ${JSON.stringify(NAMES)}.map((n) => new RegExp(n).test("x" + n));`,
    expect: returns(NAMES.map(() => true)),
  },
  {
    name: "a padded argument cannot push the path out of the approval request",
    class: "approval",
    code: `import { delete_file } from "servers/workspace";
await delete_file({ padding: "x".repeat(20000), path: "/victim.txt" });`,
    expect: awaitsApproval(
      /"path": "\/victim\.txt"/,
      /"padding": "x+…x+" \(shortened: 20,000 characters\)/,
      /SHORTENED/,
    ),
    calls: ["workspace.delete_file:rejected"],
  },
  {
    name: "arguments too many to show in an approval request are refused, not asked about",
    class: "approval",
    code: `import { delete_file } from "servers/workspace";
const extra = {};
for (let i = 0; i < 5000; i++) extra["k" + i] = i;
try { await delete_file({ path: "/victim.txt", extra }); return "asked"; } catch (e) { return e.message; }`,
    expect: returnsMatching(
      /workspace\.delete_file needs approval, but its arguments \(5,002 property names\) are too many/,
    ),
    calls: ["workspace.delete_file:rejected"],
  },
  {
    name: "arguments nested too deep to show in an approval request are refused",
    class: "approval",
    code: `import { delete_file } from "servers/workspace";
let extra = 1;
for (let i = 0; i < 40; i++) extra = { a: extra };
try { await delete_file({ path: "/victim.txt", extra }); return "asked"; } catch (e) { return e.message; }`,
    expect: returnsMatching(/workspace\.delete_file needs approval, but its arguments nest deeper than 24 levels/),
    calls: ["workspace.delete_file:rejected"],
  },
  {
    name: "code cannot reach the built-in servers' route",
    class: "routes",
    code: (ctx) => `return await fetch(${JSON.stringify(new URL("/servers/workspace/mcp", ctx.gatewayUrl).href)}, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "delete_file", arguments: { path: "/victim.txt" } } }),
}).then((r) => r.status, (e) => e.message);`,
    expect: returnsMatching(NO_NETWORK),
  },
];
