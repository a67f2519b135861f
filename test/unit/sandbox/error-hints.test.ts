import assert from "node:assert/strict";
import { test } from "node:test";
import { carriedSummary, type HintContext, withHints } from "../../../src/sandbox/error-hints";
import { LogFrames, MAX_MAPPED_FRAMES } from "../../../src/sandbox/log-frames";

const server = (serverId: string, ids: string[]) => {
  const tools = ids.map((id) => ({ id }));
  return { serverId, tools, byId: new Map(tools.map((t) => [t.id, t])) };
};
const servers = [server("workspace", ["read_file", "write_file"]), server("mirror", ["read_file"])];
const context = (extra: Partial<HintContext> = {}): HintContext => ({
  catalog: { servers, byServerId: new Map(servers.map((s) => [s.serverId, s])) },
  imports: [],
  ...extra,
});
const hinted = (name: string, message: string, extra?: Partial<HintContext>) =>
  withHints({ kind: "runtime", message: `${name}: ${message}` }, { name, message }, context(extra)).message;

test("a tool name that is not defined names every server offering it (up to three), as imports", () => {
  assert.equal(
    hinted("ReferenceError", "read_file is not defined"),
    'ReferenceError: read_file is not defined. read_file is a tool: import it first, import { read_file } from "servers/workspace" or import { read_file } from "servers/mirror"',
  );
});

test("names are data: a name like an Object.prototype member is no tool, server or dropped binding", () => {
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
    assert.equal(hinted("ReferenceError", `${name} is not defined`), `ReferenceError: ${name} is not defined`);
  }
});

test("the session-started-empty hint only when nothing at all was carried; a dropped binding's reason wins", () => {
  const empty = { values: [], declarations: [], imports: [] };
  assert.match(hinted("ReferenceError", "x is not defined", { carried: carriedSummary(empty) }), /started with none/);
  const withDeclaration = {
    ...empty,
    declarations: [{ name: "f", kind: "function" as const, source: "function f(){}" }],
  };
  assert.equal(
    hinted("ReferenceError", "x is not defined", { carried: carriedSummary(withDeclaration) }),
    "ReferenceError: x is not defined",
  );
  const dropped = { ...empty, dropped: [{ name: "x", reason: "not kept: it holds a symbol" }] };
  assert.equal(
    hinted("ReferenceError", "x is not defined", { carried: carriedSummary(dropped) }),
    "ReferenceError: x is not defined. x was declared by an earlier execution but not carried over: not kept: it holds a symbol",
  );
});

test("a missing member of a server namespace import gets the closest tools; of anything else, nothing", () => {
  const imports = [{ local: "ws", imported: "*", source: "servers/workspace" }];
  assert.equal(
    hinted("TypeError", "ws.read_fil is not a function", { imports }),
    'TypeError: ws.read_fil is not a function. servers/workspace has no tool "read_fil". Did you mean "ws.read_file"?',
  );
  assert.equal(
    hinted("TypeError", "obj.read_fil is not a function", { imports }),
    "TypeError: obj.read_fil is not a function",
  );
});

test("logged stacks name the agent's lines and carried declarations, and drop the gateway's frames", () => {
  const stack = [
    "Error: boom",
    "    at f (agent.js:3:9)",
    "    at g (agent.js:9:1)",
    "    at skill (skill-impl.tidy@2.js:4:2)",
    "    at __cg_main (agent.js:2:48)",
    "    at le.run (harness.js:1:2345)",
    "    at file:///bundle/runtime.js:7:7",
  ].join("\n");
  const frames = {
    locate: (at: { line: number; column: number }) => (at.line < 5 ? { line: at.line, column: 1 } : undefined),
    inCarried: (at: { line: number; column: number }) =>
      at.line === 9 ? { name: "g", execution: "exe_1", line: 4 } : undefined,
  };
  assert.deepEqual(new LogFrames(frames).lines(["plain", stack]), [
    "plain",
    [
      "Error: boom",
      "    at f (line 3 of your code)",
      "    at g (carried from an earlier execution: exe_1, line 4)",
      "    at skill (skill-impl.tidy@2.js:4:2)",
      "    at (line 2 of your code)",
    ].join("\n"),
  ]);
});

test("logged stacks look each location up once, and at most MAX_MAPPED_FRAMES of them per execution", () => {
  let lookups = 0;
  const frames = {
    locate: (at: { line: number; column: number }) => {
      lookups++;
      return { line: at.line, column: at.column };
    },
    inCarried: () => undefined,
  };
  const mapper = new LogFrames(frames);
  // One stack logged 1,000 times (a loop that logs its error): its two frames are looked up once.
  const stack = "Error: again\n    at f (agent.js:3:9)\n    at agent.js:4:1";
  const logged = mapper.lines(Array.from({ length: 1_000 }, () => stack));
  assert.equal(lookups, 2);
  assert.equal(logged[999], "Error: again\n    at f (line 3 of your code)\n    at (line 4 of your code)");
  // A forged stack of more distinct frames than the cap: the rest stay as written, and no more lookups are made.
  const many = Array.from({ length: MAX_MAPPED_FRAMES + 500 }, (_, i) => `    at agent.js:${i + 10}:1`);
  const [forged] = mapper.lines([`Error: many\n${many.join("\n")}`]);
  assert.equal(lookups, MAX_MAPPED_FRAMES);
  const lines = forged!.split("\n");
  assert.equal(lines[1], "    at (line 10 of your code)");
  assert.equal(lines.at(-1), `    at agent.js:${MAX_MAPPED_FRAMES + 509}:1`);
  // A line streamed live is rewritten the same way, from what was looked up already.
  assert.equal(mapper.line(stack), logged[0]);
  assert.equal(lookups, MAX_MAPPED_FRAMES);
});
