/**
 * The built-in servers' public route, `/servers/<name>/mcp`. Off by default (the registry reaches built-in servers
 * through the Worker's own entrypoint either way); with `expose_builtin_routes = true` every call on it gets the
 * gateway's approval policy, argument validation and redaction, with the same outcomes as the same call from code.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

const WS_TOKEN = `ws-${randomBytes(16).toString("hex")}`;
/** A `${NAME}` secret reference as GATEWAY_CONFIG spells it. */
const TOKEN_REF = ["$", "{WS_TOKEN}"].join("");

let closed: Gateway;
let open: Gateway;
let session: Session;
let route: Client;

before(async () => {
  [closed, open] = await Promise.all([
    startGateway({ config: { servers: [{ name: "workspace", url: "builtin:workspace" }] } }),
    startGateway({
      config: {
        expose_builtin_routes: true,
        // The route is compared with the host's own checks of calls from code; the type check would refuse the
        // same wrong arguments earlier, before they reach the host.
        typecheck: "off",
        servers: [
          {
            name: "workspace",
            url: "builtin:workspace",
            headers: { "X-Token": TOKEN_REF },
            approval: { tools: { search_files: "deny" } },
            tools: { deny: ["list_directory"] },
          },
        ],
      },
      vars: { WS_TOKEN },
    }),
  ]);
  session = await connect(open.mcpUrl);
  route = new Client({ name: "route-client", version: "0.0.0" });
  await route.connect(new StreamableHTTPClientTransport(new URL("/servers/workspace/mcp", open.url)));
  const seeded = await run(
    session,
    `import { write_file } from "servers/workspace";
await write_file({ path: "/keep.txt", content: "keep me" });
await write_file({ path: "/secret.txt", content: "token: ${WS_TOKEN}" });`,
  );
  assert.equal(seeded.ok, true, seeded.text);
});

after(async () => {
  await route?.close().catch(() => {});
  await session?.close();
  await Promise.all([closed?.dispose(), open?.dispose()]);
});

const call = async (name: string, args: Record<string, unknown>) =>
  (await route.callTool({ name, arguments: args })) as CallToolResult;
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/** The outcome of one call from code: its value, or its error message. */
async function fromCode(tool: string, args: Record<string, unknown>): Promise<{ value?: unknown; error?: string }> {
  const r = await run(
    session,
    `import { ${tool} } from "servers/workspace";
try { return { value: await ${tool}(${JSON.stringify(args)}) }; } catch (e) { return { error: e.message }; }`,
  );
  assert.equal(r.ok, true, r.text);
  return r.result;
}

describe("built-in server routes", () => {
  test("the route is not served unless expose_builtin_routes is set, and code still reaches the workspace", async () => {
    const res = await fetch(new URL("/servers/workspace/mcp", closed.url), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "delete_file", arguments: { path: "/keep.txt" } },
      }),
    });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /expose_builtin_routes is false/);
    const s = await connect(closed.mcpUrl);
    try {
      const r = await run(
        s,
        'import { write_file, read_file } from "servers/workspace";\nawait write_file({ path: "/a.txt", content: "a" });\nreturn await read_file({ path: "/a.txt" });',
      );
      assert.equal(r.result, "a", r.text);
    } finally {
      await s.close();
    }
  });

  test("a tool whose policy asks is refused on the route, and nothing is deleted", async () => {
    const r = await call("delete_file", { path: "/keep.txt" });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /workspace\.delete_file needs approval: call it from execute_code/);
    assert.deepEqual(await fromCode("read_file", { path: "/keep.txt" }), { value: "keep me" });
  });

  test("a tool denied by policy is refused on the route as it is from code", async () => {
    const r = await call("search_files", { path: "/", pattern: "*" });
    assert.equal(r.isError, true);
    assert.match(textOf(r), /search_files is denied by the gateway's approval policy/);
    assert.match(
      (await fromCode("search_files", { path: "/", pattern: "*" })).error!,
      /denied by the gateway's approval policy/,
    );
  });

  test("arguments are validated on the route with the same message as from code", async () => {
    const r = await call("read_file", { path: 5 });
    assert.equal(r.isError, true);
    const routeMessage = /invalid arguments: [^(]*/.exec(textOf(r))?.[0];
    const codeMessage = /invalid arguments: [^(]*/.exec((await fromCode("read_file", { path: 5 })).error!)?.[0];
    assert.ok(routeMessage, textOf(r));
    assert.equal(routeMessage, codeMessage);
  });

  test("the server's secrets are redacted on the route as from code", async () => {
    const r = await call("read_file", { path: "/secret.txt" });
    assert.equal(textOf(r), "token: [redacted]");
    assert.deepEqual(await fromCode("read_file", { path: "/secret.txt" }), { value: "token: [redacted]" });
  });

  test("the route lists only the tools the gateway exposes, and an allowed call answers as from code", async () => {
    const { tools } = await route.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["delete_file", "read_file", "search_files", "write_file"]);
    const hidden = await route.callTool({ name: "list_directory", arguments: { path: "/" } }).catch((e) => e);
    assert.match(String((hidden as Error).message ?? JSON.stringify(hidden)), /unknown tool list_directory/);
    assert.equal(textOf(await call("read_file", { path: "/keep.txt" })), "keep me");
  });
});
