import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { startEverything, type Upstream } from "../support/upstreams";

let everything: Upstream;
let gateway: Gateway;
let session: Session;

before(async () => {
  everything = await startEverything();
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "everything", url: everything.url },
      ],
    },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await everything?.stop();
});

test("an external npm MCP server is listed with its tools", async () => {
  const { servers } = await session.data("list_servers");
  const e = servers.find((s: any) => s.name === "everything");
  assert.equal(e.status, "ok", e.error);
  assert.ok(e.tool_count >= 5);
});

test("execute_code calls an external tool whose name needs sanitizing (get-sum -> get_sum)", async () => {
  const { tools } = await session.data("search_tools", { query: "sum of two numbers", server: "everything" });
  assert.equal(tools[0].name, "get_sum");
  assert.match(tools[0].signature, /^get_sum\(args: \{ a: number; b: number \}\)/);
  const r = await run(
    session,
    `import { get_sum, echo } from "servers/everything";
const sum = await get_sum({ a: 20, b: 22 });
const said = await echo({ message: "hi" });
return { sum, said };`,
  );
  assert.equal(r.ok, true, r.text);
  assert.match(JSON.stringify(r.result.sum), /42/);
  assert.match(JSON.stringify(r.result.said), /hi/);
  assert.deepEqual(
    r.tool_calls.map((c: any) => `${c.server}.${c.tool}:${c.status}`),
    ["everything.get-sum:ok", "everything.echo:ok"],
  );
});

test("a tool that needs MCP tasks is marked in search_tools and get_tool_details, and a program importing it is refused before it runs", async () => {
  const { tools } = await session.data("search_tools", { query: "simulate research query", server: "everything" });
  const hit = tools.find((t: any) => t.name === "simulate_research_query");
  assert.equal(hit?.cannot_call, "it needs MCP tasks, which the gateway does not support yet");
  const details = await session.data("get_tool_details", { tools: ["everything.simulate_research_query"] });
  assert.equal(details.tools[0].cannot_call, hit.cannot_call);
  assert.match(
    details.tools[0].declaration,
    /\* Cannot be called: it needs MCP tasks, which the gateway does not support yet\.\n[\s\S]*export declare function simulate_research_query\(/,
  );
  const r = await run(
    session,
    `import { echo, simulate_research_query } from "servers/everything";
console.log("ran");
await echo({ message: "before" });
return await simulate_research_query({ topic: "tasks" });`,
  );
  assert.equal(r.ok, false);
  assert.equal(r.error.kind, "import");
  assert.match(
    r.error.message,
    /^Cannot import "simulate_research_query" from "servers\/everything": the tool cannot be called through the gateway: it needs MCP tasks, which the gateway does not support yet \(the upstream declares execution\.taskSupport "required" and refuses plain calls\)\. Leave it out of the program\./,
  );
  assert.deepEqual(r.logs, [], "the program never ran");
  assert.deepEqual(r.tool_calls, [], "no call was made, not even the one before");
});

test("a call to a tool that needs MCP tasks through a namespace import is refused before it reaches the upstream", async () => {
  const r = await run(
    session,
    `import * as everything from "servers/everything";
return await everything.simulate_research_query({ topic: "tasks" });`,
  );
  assert.equal(r.ok, false);
  assert.equal(
    r.error.message,
    'ToolError: everything.simulate_research_query cannot be called through the gateway: it needs MCP tasks, which the gateway does not support yet (the upstream declares execution.taskSupport "required" and refuses plain calls) (at line 2 of your code)',
  );
  assert.deepEqual(
    r.tool_calls.map((c: any) => `${c.server}.${c.tool}:${c.status}`),
    ["everything.simulate-research-query:rejected"],
  );
});
