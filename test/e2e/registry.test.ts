/**
 * The registry end to end: a real upstream whose tool list changes while the gateway runs, one that is down and
 * one that is up but broken; per-server allow/deny and defer_loading; the durable catalog shared by sessions;
 * change detection; list_changed refresh.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { freePort, startNodeUpstream, type Upstream } from "../support/upstreams";
import { until } from "../support/until";

const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));

let changing: Upstream;
let broken: Upstream;
let gateway: Gateway;
let session: Session;
/** A second session opened before the upstream changes. */
let other: Session;

async function control(path: string, body?: unknown): Promise<any> {
  const res = await fetch(new URL(path, changing.url), {
    method: body ? "POST" : "GET",
    ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

async function server(s: Session, name: string): Promise<any> {
  const { servers } = await s.data("list_servers");
  return servers.find((x: any) => x.name === name);
}

before(async () => {
  changing = await startNodeUpstream(CHANGING, ["--tools", "5"]);
  broken = await startNodeUpstream(CHANGING, ["--broken"]);
  gateway = await startGateway({
    config: {
      network: { allow_loopback: true },
      // Long enough that only list_changed, refresh and the store's version explain a refresh in these tests.
      catalog_ttl_ms: 600_000,
      servers: [
        {
          name: "changing",
          url: changing.url,
          tools: { deny: ["tool_0003"] },
          defer_loading: ["tool_*"],
        },
        { name: "down", url: `http://127.0.0.1:${await freePort()}/mcp` },
        { name: "broken", url: broken.url },
      ],
    },
  });
  session = await connect(gateway.mcpUrl);
  other = await connect(gateway.mcpUrl);
});
after(async () => {
  await other?.close();
  await session?.close();
  await gateway?.dispose();
  await changing?.stop();
  await broken?.stop();
});

test("list_servers shows a healthy server's counts and refresh time next to a down and a broken one", async () => {
  const { servers } = await session.data("list_servers");
  const [ok, down, bad] = ["changing", "down", "broken"].map((n) => servers.find((s: any) => s.name === n));
  assert.equal(ok.status, "ok", JSON.stringify(ok));
  assert.equal(ok.module, "servers/changing");
  assert.equal(ok.tool_count, 6); // echo, add, tool_0000..tool_0004 without the denied tool_0003
  assert.equal(ok.deferred_count, 4);
  assert.ok(Date.now() - Date.parse(ok.last_refresh) < 60_000, ok.last_refresh);
  assert.deepEqual(ok.changed_tools, []);
  assert.equal(down.status, "error");
  assert.equal(down.tool_count, 0);
  assert.match(down.last_error.message, /\S/);
  assert.equal(bad.status, "error");
  assert.match(bad.last_error.message, /HTTP 500.*broken on purpose/);
});

test("execute_code calls the healthy upstream while the others are down or broken", async () => {
  const r = await run(session, `import { add } from "servers/changing"; return await add({ a: 2, b: 40 });`);
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result, 42);
});

test("a tool on the deny list is in no listing and cannot be imported", async () => {
  const { tools } = await session.data("list_tool_names", { include_deferred: true });
  assert.ok(tools.includes("changing.tool_0002"));
  assert.ok(!tools.includes("changing.tool_0003"));
  const r = await run(session, `import { tool_0003 } from "servers/changing"; return await tool_0003({ id: "x" });`);
  assert.equal(r.ok, false);
  assert.match(r.error.message, /tool_0003/);
});

test("list_tool_names leaves deferred tools out unless include_deferred is set", async () => {
  const names = await session.data("list_tool_names", { server: "changing" });
  assert.deepEqual(names.tools, ["changing.echo", "changing.add"]);
  assert.equal(names.deferred_hidden, 4);
  const all = await session.data("list_tool_names", { server: "changing", include_deferred: true });
  assert.equal(all.tools.length, 6);
});

test("list_tool_names filters by keyword in names and descriptions", async () => {
  const { tools } = await session.data("list_tool_names", { keywords: ["weather"], include_deferred: true });
  assert.deepEqual(tools, ["changing.tool_0001"]);
});

test("search_tools finds deferred tools by default and not with include_deferred false", async () => {
  const found = await session.data("search_tools", { query: "weather record" });
  assert.equal(found.tools[0]?.name, "tool_0001");
  assert.equal(found.tools[0]?.deferred, true);
  const hidden = await session.data("search_tools", { query: "weather record", include_deferred: false });
  assert.ok(!hidden.tools.some((t: any) => t.name === "tool_0001"));
});

test("a deferred tool is callable from code", async () => {
  const r = await run(session, `import { tool_0004 } from "servers/changing"; return await tool_0004({ id: "1" });`);
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result, "tool_0004");
});

test("a new session reuses the durable catalog instead of listing the upstream again", async () => {
  const before = (await control("/control/stats")).list_calls;
  const fresh = await connect(gateway.mcpUrl);
  try {
    const s = await server(fresh, "changing");
    assert.equal(s.tool_count, 6);
  } finally {
    await fresh.close();
  }
  assert.equal((await control("/control/stats")).list_calls, before);
});

test("list_servers with refresh lists the upstream again", async () => {
  const before = (await control("/control/stats")).list_calls;
  await session.data("list_servers", { refresh: true });
  assert.equal((await control("/control/stats")).list_calls, before + 1);
});

test("a definition changed upstream (list_changed) is re-listed, reported, and its binding regenerated", async () => {
  await control("/control/change", { action: "change_echo" });
  const s = await until("echo reported as changed", async () => {
    const entry = await server(session, "changing");
    return entry.changed_tools.includes("echo") ? entry : undefined;
  });
  assert.deepEqual(s.changed_tools, ["echo"]);

  const { tools } = await session.data("get_tool_details", { tools: ["changing.echo"] });
  assert.equal(tools[0].changed_since_first_seen, true);
  assert.notEqual(tools[0].first_seen_hash, tools[0].hash);
  assert.match(tools[0].declaration, /prefix: string/);

  const r = await run(
    session,
    `import { echo } from "servers/changing"; return await echo({ message: "x", prefix: "p-" });`,
  );
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result, "p-x");
});

test("a session that never connected to the upstream sees the change through the shared store", async () => {
  const s = await until("the other session to see the change", async () => {
    const entry = await server(other, "changing");
    return entry.changed_tools.includes("echo") ? entry : undefined;
  });
  assert.equal(s.status, "ok");
});

test("a tool added upstream while the gateway runs becomes importable in the same session", async () => {
  await control("/control/change", { action: "add", name: "fresh_tool" });
  await until("fresh_tool to be listed", async () => {
    const { tools } = await session.data("list_tool_names", { server: "changing" });
    return tools.includes("changing.fresh_tool") ? true : undefined;
  });
  const r = await run(session, `import { fresh_tool } from "servers/changing"; return await fresh_tool({});`);
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result, "fresh_tool ok");
});

test("a tool removed upstream disappears from the catalog", async () => {
  await control("/control/change", { action: "remove", name: "add" });
  await until("add to disappear", async () => {
    const { tools } = await session.data("list_tool_names", { server: "changing" });
    return tools.includes("changing.add") ? undefined : true;
  });
  const r = await run(session, `import { add } from "servers/changing"; return await add({ a: 1, b: 1 });`);
  assert.equal(r.ok, false);
});
