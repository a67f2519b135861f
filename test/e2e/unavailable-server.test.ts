/**
 * An import from a server that is misconfigured or down names why the server is unavailable (the reason
 * `list_servers` gives), instead of reporting a missing export of a server that seems to have no tools.
 */
import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Server } from "node:net";
import { after, before, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { freePort } from "../support/upstreams";

let gateway: Gateway;
let session: Session;
/**
 * The "down" server's port, held by this process and answering every connection by closing it: a port that was
 * merely free when the test started could be taken meanwhile by another test's gateway (it once was, and "down"
 * listed 19 tools).
 */
let down: Server;

before(async () => {
  down = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
  const downPort = (down.address() as AddressInfo).port;
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        // The secret is never set, so the gateway fails before it connects: no upstream needs to run.
        {
          name: "authed",
          url: `http://127.0.0.1:${await freePort()}/mcp`,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a secret reference, resolved by the gateway.
          headers: { Authorization: "Bearer ${MISSING_TOKEN}" },
        },
        { name: "down", url: `http://127.0.0.1:${downPort}/mcp` },
        { name: "typo", url: "builtin:workspaces" },
      ],
    },
  });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  await new Promise((resolve) => down?.close(resolve));
});

async function lastError(name: string): Promise<string> {
  const { servers } = await session.data("list_servers");
  const server = servers.find((s: any) => s.name === name);
  assert.equal(server.status, "error", JSON.stringify(server));
  return server.last_error.message;
}

test("importing from a server whose secret is not set says which secret and where to set it", async () => {
  const r = await run(session, `import { echo } from "servers/authed";\nreturn await echo({});`);
  assert.equal(r.ok, false);
  assert.equal(r.error.kind, "import");
  assert.match(
    r.error.message,
    /Cannot import "echo" from "servers\/authed": the server is unavailable: secret MISSING_TOKEN is not set: add it to \.dev\.vars locally, or wrangler secret put MISSING_TOKEN when deployed/,
  );
  assert.doesNotMatch(r.error.message, /has no export/);
});

test("the import error gives the same reason list_servers shows", async () => {
  const reason = await lastError("authed");
  assert.match(reason, /secret MISSING_TOKEN is not set/);
  const r = await run(session, `import { echo } from "servers/authed";`);
  assert.ok(r.error.message.includes(reason), `${r.error.message} should include ${reason}`);
});

test("importing from a server that is down gives its connection error", async () => {
  const reason = await lastError("down");
  const r = await run(session, `import { ping } from "servers/down";\nreturn await ping({});`);
  assert.equal(r.ok, false);
  assert.ok(r.error.message.includes(`Cannot import "ping" from "servers/down": the server is unavailable: ${reason}`));
  assert.doesNotMatch(r.error.message, /\.\. /, "a reason that ends its own sentence gets no second period");
  assert.match(r.error.message, /list_servers shows its status/);
  assert.match(r.error.message, /line 1/);
});

test("a namespace import of an unavailable server with no tools fails with the reason", async () => {
  const r = await run(session, `import * as authed from "servers/authed";\nreturn Object.keys(authed);`);
  assert.equal(r.ok, false);
  assert.match(
    r.error.message,
    /Cannot import \* from "servers\/authed": the server is unavailable: secret MISSING_TOKEN/,
  );
});

test("a missing export of a healthy server is still reported as a missing export", async () => {
  const r = await run(session, `import { read_fil } from "servers/workspace";`);
  assert.match(r.error.message, /"servers\/workspace" has no export "read_fil"\. Did you mean "read_file"\?/);
});

test("saving a skill that imports from an unavailable server is refused with the reason", async () => {
  const r = await session.call("save_skill", {
    name: "uses_authed",
    description: "calls the authed server",
    code: `import { echo } from "servers/authed";\nexport default async function uses_authed() { return echo({}); }`,
  });
  assert.equal(r.isError, true);
  assert.match(JSON.stringify(r.content), /the server is unavailable: secret MISSING_TOKEN is not set/);
});

test("a server configured as a built-in that does not exist names the built-in servers there are", async () => {
  assert.match(await lastError("typo"), /no built-in server named "workspaces"; built-in servers: workspace/);
});
