/**
 * Per-user servers (#15 items 1, 2, 5): each user adds their own upstream at run time, with header credentials
 * that reference their own secrets (`${secret:NAME}`, stored through /secrets and sealed with CONNECTIONS_KEY),
 * and calls it from code like a gateway server. Another user sees none of it; gateway names cannot be taken; the
 * network guard, `user_servers.allow_hosts`, `max_servers` and `enabled` apply; the Worker's env never resolves.
 * The upstream (test/support/token-upstream.mjs) is a real MCP server that refuses requests without its API key.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";
import { connectModern } from "../support/modern-client";
import { storedObjects, tablesWithRows } from "../support/stored-objects";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const TOKEN_UPSTREAM = fileURLToPath(new URL("../support/token-upstream.mjs", import.meta.url));
const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));
const API_TOKEN = `tok-${randomBytes(16).toString("hex")}`;
const ALICE = "alice-key-0123456789abcdef0123";
const BOB = "bob-key-0123456789abcdef012345";
const CONNECTIONS_KEY = randomBytes(32).toString("hex");
const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });
/** `${secret:NAME}` as a user writes it (a template for the gateway, not for JavaScript). */
const secretRef = (name: string) => ["$", `{secret:${name}}`].join("");

let tokenUpstream: Upstream;
let plainUpstream: Upstream;
let gateway: Gateway;
let limited: Gateway;
let disabled: Gateway;
let alice: Session;
let bob: Session;

async function putSecret(gw: Gateway, key: string, name: string, value: string): Promise<Response> {
  // Every secret here goes to the loopback upstreams; a new secret needs its hosts.
  return fetch(new URL(`/secrets/${encodeURIComponent(name)}?hosts=127.0.0.1`, gw.url), {
    method: "PUT",
    headers: { authorization: `Bearer ${key}` },
    body: value,
  });
}

const names = (servers: { name: string }[]) => servers.map((s) => s.name);

/** Whether `session` lists `server` within 5 s (another session's change arrives within the sync interval). */
async function listsEventually(session: { data: Session["data"] }, server: string): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (names((await session.data("list_servers", {})).servers).includes(server)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}
const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

before(async () => {
  [tokenUpstream, plainUpstream] = await Promise.all([
    startNodeUpstream(TOKEN_UPSTREAM, ["--token", API_TOKEN]),
    startNodeUpstream(CHANGING, []),
  ]);
  const base = {
    auth: { mode: "api_keys" },
    network: { allow_loopback: true },
    servers: [
      { name: "workspace", url: "builtin:workspace" },
      { name: "gw-tools", url: plainUpstream.url },
    ],
  };
  const vars = { API_KEYS: `alice:${ALICE}\nbob:${BOB}`, GW_SECRET: "gateway-own-secret-value" };
  [gateway, limited, disabled] = await Promise.all([
    startGateway({ config: base, vars: { ...vars, CONNECTIONS_KEY } }),
    // No CONNECTIONS_KEY, one server per user, 127.0.0.1 only.
    startGateway({ config: { ...base, user_servers: { allow_hosts: ["127.0.0.1"], max_servers: 1 } }, vars }),
    startGateway({ config: { ...base, user_servers: { enabled: false } }, vars: { ...vars, CONNECTIONS_KEY } }),
  ]);
  alice = await connect(gateway.mcpUrl, {}, bearer(ALICE));
  bob = await connect(gateway.mcpUrl, {}, bearer(BOB));
  assert.equal((await putSecret(gateway, ALICE, "API_TOKEN", API_TOKEN)).status, 200);
});

after(async () => {
  await Promise.all([alice?.close(), bob?.close()]);
  await Promise.all([gateway?.dispose(), limited?.dispose(), disabled?.dispose()]);
  await Promise.all([tokenUpstream?.stop(), plainUpstream?.stop()]);
});

describe("user servers", () => {
  test("add_server with a secret-referencing header connects at once and lists the server's tools", async () => {
    const r = await alice.data("add_server", {
      name: "mine",
      url: tokenUpstream.url,
      headers: { "X-Api-Key": secretRef("API_TOKEN") },
    });
    assert.equal(r.status, "connected", JSON.stringify(r));
    assert.equal(r.module, "servers/mine");
    assert.deepEqual([...r.tools].sort(), ["add", "whoami"]);
  });

  test("authorize_server on a header server says it has no sign-in and how to change its credentials", async () => {
    const r = await alice.call("authorize_server", { name: "mine" });
    assert.equal(r.isError, true);
    assert.match(text(r), /mine authenticates with its headers, not an OAuth sign-in/);
    assert.match(text(r), /save the secret its headers reference again \(on \/connections or PUT \/secrets\/<NAME>\)/);
  });

  test("authorize_server on a server that answers without a sign-in says it needs none", async () => {
    await alice.data("add_server", { name: "open", url: plainUpstream.url });
    try {
      const r = await alice.call("authorize_server", { name: "open" });
      assert.equal(r.isError, true);
      assert.match(
        text(r),
        /open answered without a sign-in \(list_servers shows it connected\), and found no OAuth sign-in to offer \(.+\); a server that wants one refuses with 401/,
      );
      // Nothing was started: the server is still one without credentials.
      const listed = (await alice.data("list_servers", {})).servers.find((x: { name: string }) => x.name === "open");
      assert.equal(listed.auth.type, "none");
    } finally {
      await alice.data("remove_server", { name: "open" });
    }
  });

  test("code calls the user's server with the secret resolved on the host, and never sees the secret", async () => {
    const r = await run(
      alice,
      'import { add, whoami } from "servers/mine";\nreturn { sum: await add({ a: 1, b: 2 }), who: await whoami({}) };',
    );
    assert.equal(r.ok, true, JSON.stringify(r.error));
    assert.equal(r.result.sum, 3);
    assert.equal(r.result.who, "key: [redacted]");
    assert.ok(!JSON.stringify(r).includes(API_TOKEN));
    const seen = (await (await fetch(new URL("/captured", tokenUpstream.url))).json()) as string[];
    assert.ok(seen.includes(API_TOKEN), "the upstream received the resolved secret");
  });

  test("list_servers shows scope and auth for gateway and user servers, and no credential", async () => {
    const r = await alice.call("list_servers", {});
    const { servers } = r.structuredContent as { servers: any[] };
    const mine = servers.find((s) => s.name === "mine");
    const workspace = servers.find((s) => s.name === "workspace");
    assert.equal(workspace.scope, "gateway");
    assert.deepEqual(workspace.auth, { type: "none", status: "connected" });
    assert.equal(mine.scope, "user");
    assert.deepEqual(mine.auth, { type: "headers", status: "connected" });
    assert.ok(!JSON.stringify(r).includes(API_TOKEN));
  });

  test("search_tools and get_tool_details treat the user's server like a gateway server", async () => {
    const found = await alice.data("search_tools", { query: "add two numbers" });
    assert.ok(found.tools.some((t: { server: string; name: string }) => t.server === "mine" && t.name === "add"));
    const details = await alice.data("get_tool_details", { tools: ["mine.add"] });
    assert.equal(details.tools[0].import, 'import { add } from "servers/mine";');
  });

  test("a skill imports the user's server like a gateway server, and runs with the user's credentials", async () => {
    const saved = await alice.call("save_skill", {
      name: "sum_mine",
      description: "Adds two numbers with the user's own server.",
      code: 'import { add } from "servers/mine";\nexport default async function sum_mine(input: { a: number; b: number }) { return await add(input); }',
    });
    assert.equal(saved.isError, undefined, JSON.stringify(saved.content));
    const r = await alice.call("run_skill", { name: "sum_mine", input: { a: 20, b: 22 } });
    assert.equal((r.structuredContent as { result: unknown }).result, 42, JSON.stringify(r.structuredContent));
  });

  test("another user sees none of the first user's servers, and can use the same name for their own", async () => {
    const listed = await bob.data("list_servers", {});
    assert.deepEqual(names(listed.servers).sort(), ["gw-tools", "workspace"]);
    const found = await bob.data("search_tools", { query: "api key whoami" });
    assert.ok(!found.tools.some((t: { server: string }) => t.server === "mine"));
    const r = await run(bob, 'import { add } from "servers/mine";\nreturn await add({ a: 1, b: 2 });');
    assert.equal(r.ok, false);
    // Bob's "mine" is his own: no secret of Alice's resolves for him.
    const result = await bob.call("add_server", {
      name: "mine",
      url: tokenUpstream.url,
      headers: { "X-Api-Key": secretRef("API_TOKEN") },
    });
    const added = result.structuredContent as { status: string; error: string; missing_secrets: string[] };
    assert.equal(added.status, "error");
    assert.deepEqual(added.missing_secrets, ["API_TOKEN"]);
    assert.match(added.error, /secret API_TOKEN is not set/);
    // Added, and what it needs: the secret, on the page or through PUT /secrets; the name said once.
    assert.equal(
      text(result),
      `mine added (import from "servers/mine"); it needs secret API_TOKEN before it can connect: store it on the gateway's /connections page (Secrets, allowed host 127.0.0.1), or with PUT /secrets/API_TOKEN?hosts=127.0.0.1 (the value as the request body, with the same credentials as /mcp)`,
    );
    const mine = (await bob.data("list_servers", {})).servers.find((s: { name: string }) => s.name === "mine");
    assert.match(
      mine.last_error.message,
      /secret API_TOKEN is not set: store it on .*PUT \/secrets\/API_TOKEN\?hosts=127\.0\.0\.1/,
    );
    await bob.data("remove_server", { name: "mine" });
  });

  test("a server another session of the same user adds appears in this session within seconds", async () => {
    const other = await connect(gateway.mcpUrl, {}, bearer(ALICE));
    try {
      assert.ok(!names((await other.data("list_servers", {})).servers).includes("later"));
      await alice.data("add_server", { name: "later", url: plainUpstream.url });
      assert.ok(await listsEventually(other, "later"), "the other session never saw the new server");
      const r = await run(other, 'import { add } from "servers/later";\nreturn await add({ a: 2, b: 3 });');
      assert.equal(r.ok, true, JSON.stringify(r.error));
    } finally {
      await other.close();
    }
  });

  test("remove_server forgets the server: it is no longer listed or importable", async () => {
    assert.deepEqual(await alice.data("remove_server", { name: "later" }), { removed: "later" });
    assert.ok(!names((await alice.data("list_servers", {})).servers).includes("later"));
    const r = await run(alice, 'import { add } from "servers/later";\nreturn await add({ a: 2, b: 3 });');
    assert.equal(r.ok, false);
    const again = await alice.call("remove_server", { name: "gw-tools" });
    assert.equal(again.isError, true);
    assert.match(text(again), /server of the gateway/);
  });

  test("remove_server deletes what the gateway stored of the server's listings for the user", async () => {
    const before = storedObjects(gateway.persistDir, "CatalogObject");
    await alice.data("add_server", { name: "stored", url: plainUpstream.url });
    const r = await run(alice, 'import { add } from "servers/stored";\nreturn await add({ a: 2, b: 3 });');
    assert.equal(r.ok, true, r.text);
    const listed = storedObjects(gateway.persistDir, "CatalogObject");
    assert.equal(listed.length, before.length + 1, "the user's listing of the server has its own object");
    const object = listed.find((o) => !before.includes(o))!;
    await alice.data("remove_server", { name: "stored" });
    // Only when the server had been added stays (workerd's KV table): what is still in flight for it is dropped.
    assert.deepEqual(tablesWithRows(gateway.persistDir, object), ["_cf_KV"]);
    // Added again under the same name and URL: the same object stores its listing anew.
    await alice.data("add_server", { name: "stored", url: plainUpstream.url });
    const again = await run(alice, 'import { add } from "servers/stored";\nreturn await add({ a: 2, b: 3 });');
    assert.equal(again.ok, true, again.text);
    assert.deepEqual(storedObjects(gateway.persistDir, "CatalogObject"), listed);
    assert.ok(tablesWithRows(gateway.persistDir, object).includes("listing"), "the server added again is stored");
    await alice.data("remove_server", { name: "stored" });
  });

  test("a user server cannot take a gateway server's name or module identifier", async () => {
    for (const [name, pattern] of [
      ["workspace", /is a server of the gateway/],
      ["Workspace", /is a server of the gateway/],
      ["gw_tools", /would import as servers\/gw_tools, which is the gateway server gw-tools/],
      ["mine", /already a server named "mine"/],
    ] as const) {
      const r = await alice.call("add_server", { name, url: plainUpstream.url });
      assert.equal(r.isError, true, name);
      assert.match(text(r), pattern, name);
    }
  });

  test("a header that references the Worker's env is refused, so no user borrows the gateway's credentials", async () => {
    const r = await alice.call("add_server", {
      name: "borrow",
      url: tokenUpstream.url,
      headers: { "X-Api-Key": ["$", "{GW_SECRET}"].join("") },
    });
    assert.equal(r.isError, true);
    assert.match(text(r), /would read the gateway's own environment.*\$\{secret:GW_SECRET\}/);
  });

  test("URLs the network guard refuses are refused before anything connects", async () => {
    for (const url of [
      "http://169.254.169.254/mcp",
      "http://10.0.0.1/mcp",
      "http://user:pw@127.0.0.1/mcp",
      "file:///etc/passwd",
    ]) {
      const r = await alice.call("add_server", { name: "bad", url });
      assert.equal(r.isError, true, url);
      assert.match(text(r), /^url: /, url);
    }
  });

  test("hostile names: __proto__ is refused as a server name; constructor works as server, header and secret name", async () => {
    const proto = await alice.call("add_server", { name: "__proto__", url: plainUpstream.url });
    assert.equal(proto.isError, true);
    assert.match(text(proto), /starting with a letter or digit/);
    assert.equal((await putSecret(gateway, ALICE, "__proto__", API_TOKEN)).status, 200);
    assert.equal((await putSecret(gateway, ALICE, "constructor", "x-value-1")).status, 200);
    const added = await alice.data("add_server", {
      name: "constructor",
      url: tokenUpstream.url,
      headers: JSON.parse(
        `{"X-Api-Key": "${secretRef("__proto__")}", "__proto__": "${secretRef("constructor")}", "constructor": "c"}`,
      ),
    });
    assert.equal(added.status, "connected", JSON.stringify(added));
    assert.equal(added.module, "servers/constructor_");
    const r = await run(alice, 'import { add } from "servers/constructor_";\nreturn await add({ a: 4, b: 5 });');
    assert.equal(r.result, 9, JSON.stringify(r));
    const listed = await fetch(new URL("/secrets", gateway.url), { headers: { authorization: `Bearer ${ALICE}` } });
    const { secrets } = (await listed.json()) as { secrets: { name: string }[] };
    assert.deepEqual(names(secrets).sort(), ["API_TOKEN", "__proto__", "constructor"]);
    assert.ok(!JSON.stringify(secrets).includes(API_TOKEN), "secrets are write-only");
    await alice.data("remove_server", { name: "constructor" });
  });

  test("2026-07-28 clients see the user's servers and the server tools too", async () => {
    const modern = await connectModern(gateway.mcpUrl, {}, { Authorization: `Bearer ${ALICE}` });
    try {
      const { tools } = await modern.client.listTools();
      for (const t of ["add_server", "authorize_server", "remove_server"])
        assert.ok(
          tools.some((x) => x.name === t),
          t,
        );
      const listed = await modern.data("list_servers", {});
      assert.ok(names(listed.servers).includes("mine"));
      const added = await modern.data("add_server", { name: "modern-added", url: plainUpstream.url });
      assert.equal(added.status, "connected");
      assert.ok(await listsEventually(alice, "modern-added"), "the 2025-11-25 session never saw it");
      await modern.data("remove_server", { name: "modern-added" });
    } finally {
      await modern.close();
    }
  });
});

describe("operator controls", () => {
  test("user_servers.enabled = false lists none of the server tools and none of a user's servers", async () => {
    const s = await connect(disabled.mcpUrl, {}, bearer(ALICE));
    try {
      const { tools } = await s.client.listTools();
      for (const t of ["add_server", "authorize_server", "remove_server"]) assert.ok(!tools.some((x) => x.name === t));
    } finally {
      await s.close();
    }
  });

  test("without CONNECTIONS_KEY a server with headers is refused with how to set it; one without headers works", async () => {
    const s = await connect(limited.mcpUrl, {}, bearer(ALICE));
    try {
      const r = await s.call("add_server", {
        name: "keyed",
        url: tokenUpstream.url,
        headers: { "X-Api-Key": secretRef("API_TOKEN") },
      });
      assert.equal(r.isError, true);
      assert.match(text(r), /set CONNECTIONS_KEY.*openssl rand -hex 32/);
      const secret = await putSecret(limited, ALICE, "API_TOKEN", API_TOKEN);
      assert.equal(secret.status, 400);
      assert.match(await secret.text(), /set CONNECTIONS_KEY/);
      const plain = await s.data("add_server", { name: "plain", url: plainUpstream.url });
      assert.equal(plain.status, "connected");
    } finally {
      await s.close();
    }
  });

  test("two users' servers of the same name and URL keep result shapes and first-seen definitions apart", async () => {
    // Its own upstream: the definition change below must not reach the other tests' servers.
    const shared = await startNodeUpstream(CHANGING, []);
    const details = async (s: Session) => (await s.data("get_tool_details", { tools: ["crm.echo"] })).tools[0];
    try {
      // The URLs differ only in the query string (a tenant or a token there), which is not part of the display URL.
      await alice.data("add_server", { name: "crm", url: `${shared.url}?tenant=alice` });
      const ran = await run(
        alice,
        'import { echo } from "servers/crm";\nreturn await echo({ message: JSON.stringify({ alice_private_field: 1 }) });',
      );
      assert.equal(ran.ok, true, ran.text);
      let own: { observed_output?: { type: string } } | undefined;
      for (let i = 0; i < 40 && !own?.observed_output; i++) {
        await new Promise((r) => setTimeout(r, 100));
        own = await details(alice);
      }
      assert.match(own?.observed_output?.type ?? "", /alice_private_field/, "the owner learns the result's shape");
      // The definition changes after Alice's server first listed it.
      const changed = await fetch(new URL("/control/change", shared.url), {
        method: "POST",
        body: JSON.stringify({ action: "change_echo", notify: false }),
      });
      assert.equal(changed.status, 200);
      await bob.data("add_server", { name: "crm", url: `${shared.url}?tenant=bob` });
      const theirs = await details(bob);
      assert.equal(theirs.observed_output, undefined, "Bob sees nothing of Alice's results");
      assert.doesNotMatch(theirs.declaration, /alice_private_field/);
      const listed = (await bob.data("list_servers", {})).servers.find((x: { name: string }) => x.name === "crm");
      assert.deepEqual(listed.changed_tools, [], "Bob's server is new to him: nothing changed since he first saw it");
    } finally {
      await alice.data("remove_server", { name: "crm" }).catch(() => {});
      await bob.data("remove_server", { name: "crm" }).catch(() => {});
      await shared.stop();
    }
  });

  test("allow_hosts limits user servers to its hosts, and max_servers caps how many a user has", async () => {
    const s = await connect(limited.mcpUrl, {}, bearer(BOB));
    try {
      const other = await s.call("add_server", {
        name: "other",
        url: plainUpstream.url.replace("127.0.0.1", "localhost"),
      });
      assert.equal(other.isError, true);
      assert.match(text(other), /host localhost is not in user_servers.allow_hosts \(127.0.0.1\)/);
      await s.data("add_server", { name: "first", url: plainUpstream.url });
      const second = await s.call("add_server", { name: "second", url: plainUpstream.url });
      assert.equal(second.isError, true);
      assert.match(text(second), /user_servers.max_servers/);
    } finally {
      await s.close();
    }
  });
});
