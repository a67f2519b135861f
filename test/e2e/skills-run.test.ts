/**
 * Running skills: the ones shipped with the gateway (copy_tree, find_replace, summarize_directory) by run_skill and
 * from code, what get_skill says of them, run_skill's errors about their arguments, name and version, that they
 * cannot be overwritten or deleted; and run_skill's input arriving with every key as sent (a __proto__ key refused
 * with the reason). A user's own skills: skills-saved.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

let gateway: Gateway;
let session: Session;

before(async () => {
  gateway = await startGateway();
  session = await connect(gateway.mcpUrl);
  const seed = await run(
    session,
    `import { write_file } from "servers/workspace";
await write_file({ path: "/src/a.md", content: "hello world" });
await write_file({ path: "/src/docs/b.md", content: "hello again, hello" });
await write_file({ path: "/src/c.txt", content: "plain" });
return "seeded";`,
  );
  assert.equal(seed.ok, true, seed.text);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
});

const GREET = `export default async function greet(input: { name: string }) {
  return \`hello, \${input.name}\`;
}`;

describe("shipped skills", () => {
  test("list_skills shows the three shipped skills with their versions", async () => {
    const { skills } = await session.data("list_skills");
    const shipped = skills.filter((s: any) => s.builtin).map((s: any) => s.name);
    assert.deepEqual(shipped, ["copy_tree", "find_replace", "summarize_directory"]);
    assert.deepEqual(skills[0].versions, [{ version: 1 }]);
  });

  test("copy_tree copies a tree and skips files that exist unless overwrite", async () => {
    const r = await session.call("run_skill", { name: "copy_tree", input: { from: "/src", to: "/copy" } });
    assert.equal(r.isError, undefined, JSON.stringify(r.content));
    assert.deepEqual((r.structuredContent as any).result, {
      copied: ["/copy/a.md", "/copy/c.txt", "/copy/docs/b.md"],
      skipped: [],
    });
    const again = await session.data("run_skill", { name: "copy_tree", input: { from: "/src", to: "/copy" } });
    assert.equal(again.result.skipped.length, 3);
    const check = await run(
      session,
      `import { read_file } from "servers/workspace"; return read_file({ path: "/copy/docs/b.md" });`,
    );
    assert.equal(check.result, "hello again, hello");
  });

  test("find_replace replaces across matching files and reports counts; dry_run writes nothing", async () => {
    const dry = await session.data("run_skill", {
      name: "find_replace",
      input: { path: "/src", find: "hello", replace: "bye", pattern: "**/*.md", dry_run: true },
    });
    assert.equal(dry.result.total_replacements, 3);
    const real = await session.data("run_skill", {
      name: "find_replace",
      input: { path: "/src", find: "hello", replace: "bye", pattern: "**/*.md" },
    });
    assert.deepEqual(real.result.changed, [
      { path: "/src/a.md", replacements: 1 },
      { path: "/src/docs/b.md", replacements: 2 },
    ]);
    const check = await run(
      session,
      `import { read_file } from "servers/workspace"; return read_file({ path: "/src/docs/b.md" });`,
    );
    assert.equal(check.result, "bye again, bye");
  });

  test("summarize_directory counts files, directories and bytes per extension", async () => {
    const r = await session.data("run_skill", { name: "summarize_directory", input: { path: "/copy" } });
    assert.equal(r.result.files, 3);
    assert.equal(r.result.directories, 1);
    assert.deepEqual(Object.keys(r.result.by_extension).sort(), ["md", "txt"]);
    assert.equal(r.result.largest[0].path, "/copy/docs/b.md");
  });

  test("a shipped skill imported from code runs, and bad input is refused with the path", async () => {
    const r = await run(
      session,
      `import { summarize_directory } from "skills/summarize_directory";
const s = await summarize_directory({ path: "/src" });
return s.files;`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, 3);
    const bad = await session.call("run_skill", { name: "copy_tree", input: { from: 1 } });
    assert.equal(bad.isError, true);
    assert.match((bad.content[0] as any).text, /\/from: expected string, got number/);
  });

  test("get_skill and list_skills name the workspace tools a shipped skill calls, as a save of its code records them", async () => {
    const shipped = await session.data("get_skill", { name: "copy_tree" });
    const saved = await session.data("save_skill", {
      name: "copy_tree_mine",
      description: "copy_tree saved by a user",
      code: shipped.code,
    });
    const tools = (uses: Array<{ server: string; tool: string }>) => uses.map((u) => `${u.server}.${u.tool}`).sort();
    assert.deepEqual(tools(shipped.uses), ["workspace.list_directory", "workspace.read_file", "workspace.write_file"]);
    assert.deepEqual(
      [...shipped.uses].sort((a: any, b: any) => a.tool.localeCompare(b.tool)),
      [...saved.uses].sort((a: any, b: any) => a.tool.localeCompare(b.tool)),
    );
    assert.deepEqual(shipped.drift, []);
    const { skills } = await session.data("list_skills");
    assert.deepEqual(tools(skills.find((s: any) => s.name === "summarize_directory").uses), [
      "workspace.list_directory",
    ]);
    await session.data("delete_skill", { name: "copy_tree_mine" });
  });

  test("run_skill given the skill's input at the top level says it goes under input", async () => {
    const r = await session.call("run_skill", { name: "summarize_directory", path: "/src" });
    assert.equal(r.isError, true);
    const text = (r.content[0] as any).text as string;
    assert.match(
      text,
      /run_skill takes the skill's input as "input": \{ "path": \.\.\. \}; got top-level "path" \(its own arguments are name, version, input\)$/,
    );
    assert.doesNotMatch(text, /required property is missing/);
  });

  test("run_skill with a context in a 2025-11-25 session says the session is the context", async () => {
    const r = await session.call("run_skill", { name: "copy_tree", input: {}, context: "new" });
    assert.equal(r.isError, true);
    const text = (r.content[0] as any).text as string;
    assert.match(
      text,
      /run_skill: "context" is for 2026-07-28 clients; in a 2025-11-25 session the session itself is the context/,
    );
    assert.doesNotMatch(text, /"input": \{ "context"/);
  });

  test("run_skill of a skill that does not exist suggests the closest name", async () => {
    const r = await session.call("run_skill", { name: "copy_tre", input: {} });
    assert.equal(r.isError, true);
    assert.match(
      (r.content[0] as any).text,
      /no skill copy_tre\. Did you mean "copy_tree"\? list_skills shows what exists/,
    );
  });

  test("run_skill of a version that does not exist names the skill's versions, not the skill itself", async () => {
    const r = await session.call("run_skill", { name: "copy_tree@9", input: {} });
    assert.equal(r.isError, true);
    assert.equal(
      (r.content[0] as any).text,
      'skill copy_tree has no version 9; its versions, newest first: 1. run_skill { name: "copy_tree" } uses the latest, "copy_tree@<version>" pins one',
    );
  });

  test("run_skill names an unknown input property, the allowed ones and the closest", async () => {
    const r = await session.call("run_skill", {
      name: "copy_tree",
      input: { from: "/src", to: "/backup", overwrit: true },
    });
    assert.equal(r.isError, true);
    assert.match(
      (r.content[0] as any).text,
      /^copy_tree@1: invalid arguments: \/overwrit: unknown property "overwrit" \(allowed: from, to, overwrite; did you mean "overwrite"\?\) \(get_skill shows its input_schema\)/,
    );
  });

  test("shipped skills cannot be overwritten or deleted", async () => {
    const save = await session.call("save_skill", { name: "copy_tree", description: "x", code: GREET });
    assert.equal(save.isError, true);
    assert.match((save.content[0] as any).text, /shipped with the gateway/);
    const del = await session.call("delete_skill", { name: "copy_tree" });
    assert.equal(del.isError, true);
  });
});

describe("run_skill input keeps every key", () => {
  // JSON.parse makes "__proto__" a real own key; a copy into `{}` would drop it silently.
  const withProto = JSON.parse('{"__proto__": {"path": "/etc"}, "path": "/src"}');

  test("run_skill refuses a __proto__ key in its input with the reason instead of dropping it", async () => {
    const r = await session.call("run_skill", { name: "summarize_directory", input: withProto });
    assert.equal(r.isError, true, JSON.stringify(r.content));
    assert.match((r.content[0] as any).text, /run_skill: input: the key "__proto__" is not allowed \(it cannot/);
  });

  test("a nested __proto__ key is refused too: written into the run's code as a literal, it would set a prototype", async () => {
    await session.data("save_skill", {
      name: "inherits",
      description: "Reports whether an option is its own or inherited",
      code: "export default async function inherits(input: { opts: Record<string, unknown> }) { return { admin: input.opts.admin ?? null, own: Object.keys(input.opts) }; }",
    });
    const nested = JSON.parse('{"opts": {"list": [{"__proto__": {"admin": true}}], "__proto__": {"admin": true}}}');
    const r = await session.call("run_skill", { name: "inherits", input: nested });
    assert.equal(r.isError, true, JSON.stringify(r.content));
    assert.match((r.content[0] as any).text, /run_skill: input\.opts: the key "__proto__" is not allowed \(it cannot/);
    const deeper = await session.call("run_skill", {
      name: "inherits",
      input: JSON.parse('{"opts": {"list": [1, {"__proto__": {"admin": true}}]}}'),
    });
    assert.match(
      (deeper.content[0] as any).text,
      /run_skill: input\.opts\.list\.1: the key "__proto__" is not allowed/,
    );
    await session.data("delete_skill", { name: "inherits" });
  });

  test("other keys, odd names among them, arrive as sent; a non-object is refused", async () => {
    await session.data("save_skill", {
      name: "keys_of",
      description: "Lists the keys of its input",
      code: "export default async function keys_of(input: Record<string, unknown>) { return Object.keys(input); }",
    });
    const odd = JSON.parse('{"path": "/src", "constructor": 1, "toString": "x"}');
    const keys = await session.data("run_skill", { name: "keys_of", input: odd });
    assert.deepEqual(keys.result, ["path", "constructor", "toString"]);
    const arr = await session.call("run_skill", { name: "keys_of", input: ["/src"] });
    assert.equal(arr.isError, true);
    // Named once: the server puts the argument's name before the message.
    assert.match((arr.content[0] as any).text, /run_skill: input: expected an object of named values$/);
    // From code, an input JSON cannot carry is refused naming the skill's call, not "passed to tools".
    const fn = await run(
      session,
      'import { keys_of } from "skills/keys_of";\ntry { await keys_of({ f: () => 1 }); } catch (e) { return e.message; }',
    );
    assert.equal(fn.result, "keys_of(input): /input/f: functions cannot be passed to a skill");
    await session.data("delete_skill", { name: "keys_of" });
  });
});
