import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type FaultyUpstream, startFaulty } from "../support/faulty";
import { connect, type Gateway, run, startGateway } from "../support/gateway";
import { startNodeUpstream, type Upstream } from "../support/upstreams";

const CHANGING = fileURLToPath(new URL("../support/changing-upstream.mjs", import.meta.url));
const ALICE = "alice-key-0123456789abcdef0123";
const BOB = "bob-key-0123456789abcdef012345";
const bearer = (token: string) => ({ requestInit: { headers: { Authorization: `Bearer ${token}` } } });

let upstream: Upstream;
let faulty: FaultyUpstream;
let gateway: Gateway;

before(async () => {
  [upstream, faulty] = await Promise.all([startNodeUpstream(CHANGING, []), startFaulty()]);
  gateway = await startGateway({
    config: {
      auth: { mode: "api_keys" },
      network: { allow_loopback: true },
      servers: [
        { name: "workspace", url: "builtin:workspace" },
        { name: "changing", url: upstream.url },
      ],
    },
    vars: { API_KEYS: `alice:${ALICE}\nbob:${BOB}` },
  });
});
after(async () => {
  await gateway?.dispose();
  await Promise.all([upstream?.stop(), faulty?.stop()]);
});

const SHOUT = `import { echo } from "servers/changing";
export default async function shout(input: { text: string }) {
  return (await echo({ message: input.text })).toUpperCase();
}`;

test("one user never sees another user's skills, state or workspace", async () => {
  const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE));
  const bob = await connect(gateway.mcpUrl, {}, bearer(BOB));
  try {
    await alice.data("save_skill", {
      name: "alice_only",
      description: "Alice's private skill",
      code: SHOUT.replace("shout", "alice_only"),
    });
    const setup = await run(
      alice,
      `import { state } from "gateway";
import { write_file } from "servers/workspace";
await state.set("secret", "alice");
await write_file({ path: "/alice.txt", content: "private" });
return "ok";`,
    );
    assert.equal(setup.ok, true, setup.text);

    const bobSkills = await bob.data("list_skills");
    assert.ok(!bobSkills.skills.some((s: any) => s.name === "alice_only"));
    const bobRun = await bob.call("run_skill", { name: "alice_only", input: { text: "x" } });
    assert.equal(bobRun.isError, true);
    const bobView = await run(
      bob,
      `import { state } from "gateway";
import { list_directory } from "servers/workspace";
return { secret: (await state.get("secret")) ?? null, files: (await list_directory({ path: "/" })).entries.map((e) => e.name) };`,
    );
    assert.deepEqual(bobView.result, { secret: null, files: [] });
    const aliceSkills = await alice.data("list_skills");
    assert.ok(aliceSkills.skills.some((s: any) => s.name === "alice_only"));
  } finally {
    await alice.close();
    await bob.close();
  }
});

test("search_tools returns matching skills too, marked as skills", async () => {
  const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE));
  try {
    const r = await alice.data("search_tools", { query: "copy a directory tree to another folder" });
    assert.equal(r.skills[0].kind, "skill");
    assert.equal(r.skills[0].name, "copy_tree");
    assert.equal(r.skills[0].import, 'import { copy_tree } from "skills/copy_tree";');
  } finally {
    await alice.close();
  }
});

test("a skill is flagged, naming the tool, after that tool's schema changes upstream", async () => {
  const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE));
  try {
    const saved = await alice.data("save_skill", { name: "shout", description: "Echo in capitals", code: SHOUT });
    assert.deepEqual(
      saved.uses.map((u: any) => `${u.server}.${u.tool}`),
      ["changing.echo"],
    );
    const before = await alice.data("get_skill", { name: "shout" });
    assert.deepEqual(before.drift, []);
    assert.equal((await alice.data("run_skill", { name: "shout", input: { text: "hi" } })).result, "HI");

    const res = await fetch(new URL("/control/change", upstream.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "change_echo" }),
    });
    assert.equal(res.status, 200);
    await alice.data("list_servers", { refresh: true });

    const listed = await alice.data("list_skills");
    const shout = listed.skills.find((s: any) => s.name === "shout");
    const changed = {
      server: "changing",
      tool: "echo",
      status: "changed",
      reason: "its definition changed since the skill was saved",
    };
    assert.deepEqual(shout.drift, [changed]);
    const detail = await alice.data("get_skill", { name: "shout" });
    assert.deepEqual(detail.drift, [changed]);
    const text = ((await alice.call("list_skills")).content[0] as any).text;
    assert.match(text, /DRIFT: changing\.echo changed: its definition changed since the skill was saved/);
  } finally {
    await alice.close();
  }
});

test("a skill calling a server the user removed is flagged; one whose server is only failing is not", async () => {
  const alice = await connect(gateway.mcpUrl, {}, bearer(ALICE));
  try {
    assert.equal((await alice.data("add_server", { name: "ev2", url: faulty.url })).status, "connected");
    await alice.data("save_skill", {
      name: "summer",
      description: "Echoes through ev2",
      code: `import { echo } from "servers/ev2";
export default async function summer(input: { text: string }) {
  return await echo({ text: input.text });
}`,
    });
    assert.equal((await alice.data("run_skill", { name: "summer", input: { text: "hi" } })).result.tool, "echo");
    const runnable = await alice.data("search_tools", { query: "echoes through ev2" });
    assert.equal(runnable.skills.find((k: any) => k.name === "summer").cannot_run, undefined);
    const skillMd = async () =>
      String(((await alice.client.readResource({ uri: "skill://summer/SKILL.md" })).contents[0] as any).text);
    assert.doesNotMatch(await skillMd(), /Cannot run/);

    // Listing fails: the server is down, not gone, and says nothing about its tools.
    await faulty.set({ mode: "http-500", scope: "list" });
    const down = await alice.data("list_servers", { refresh: true });
    assert.equal(down.servers.find((s: any) => s.name === "ev2").status, "error", JSON.stringify(down));
    assert.deepEqual((await alice.data("get_skill", { name: "summer" })).drift, []);
    await faulty.set({ mode: "ok" });

    await alice.data("remove_server", { name: "ev2" });
    const removed = {
      server: "ev2",
      tool: "echo",
      status: "missing",
      reason: "server ev2 was removed (no server of that name is configured)",
    };
    assert.deepEqual((await alice.data("get_skill", { name: "summer" })).drift, [removed]);
    const { skills } = await alice.data("list_skills");
    assert.deepEqual(skills.find((s: any) => s.name === "summer").drift, [removed]);
    const text = ((await alice.call("list_skills")).content[0] as any).text;
    assert.match(text, /summer@1: Echoes through ev2\n {2}DRIFT: ev2\.echo missing: server ev2 was removed/);

    // run_skill refuses with that reason and what to do, not the sandbox's "no such module".
    const ran = await alice.call("run_skill", { name: "summer", input: { text: "hi" } });
    assert.equal(ran.isError, true);
    const refusal = (ran.content[0] as any).text;
    assert.match(
      refusal,
      /^summer@1 cannot run: it calls ev2\.echo, but server ev2 was removed \(no server of that name is configured\)\. To run it: add the server again \(add_server/,
    );
    assert.match(refusal, /save a new version of the skill that does not use it/);
    assert.doesNotMatch(refusal, /no such module/);
    // So does a program that imports it.
    const imported = await run(alice, 'import { summer } from "skills/summer";\nreturn await summer({ text: "hi" });');
    assert.equal(imported.error?.kind, "import", imported.text);
    assert.match(imported.error.message, /^skill summer@1 cannot run: it calls ev2\.echo, but server ev2 was removed/);
    // search_tools still finds it, marked as not runnable, with why.
    const found = await alice.call("search_tools", { query: "echoes through ev2" });
    const hit = (found.structuredContent as any).skills?.find((k: any) => k.name === "summer");
    assert.equal(
      hit?.cannot_run,
      "it calls ev2.echo, but server ev2 was removed (no server of that name is configured)",
    );
    assert.match(
      (found.content[0] as any).text,
      /from "skills\/summer"; {2}\(cannot run: it calls ev2\.echo, but server ev2/,
    );
    assert.doesNotMatch((found.content[0] as any).text, /run_skill "summer"/);
    // A client that reads skills as resources (SEP-2640) is told too, before how to run it.
    const md = await skillMd();
    assert.match(
      md,
      /\n## Cannot run\n\nsummer@1 cannot run: it calls ev2\.echo, but server ev2 was removed \(no server of that name is configured\)\. To run it: add the server again/,
    );
    assert.ok(md.indexOf("## Cannot run") < md.indexOf("## Use"), md);
  } finally {
    await alice.data("delete_skill", { name: "summer" }).catch(() => {});
    await alice.close();
  }
});
