import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

let gateway: Gateway;
let session: Session;

before(async () => {
  gateway = await startGateway({ keepState: true });
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
  if (gateway) rmSync(gateway.persistDir, { recursive: true, force: true });
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

describe("saved skills", () => {
  test("each save is a new version; pins, rollback and run records work", async () => {
    const v1 = await session.data("save_skill", {
      name: "greet",
      description: "Greets someone",
      code: GREET,
      input_schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      tags: ["demo"],
    });
    assert.equal(v1.version, 1);
    const v2 = await session.data("save_skill", {
      name: "greet",
      description: "Greets someone loudly",
      code: GREET.replace("hello, ", "HELLO, "),
    });
    assert.equal(v2.version, 2);

    const latest = await session.data("run_skill", { name: "greet", input: { name: "ann" } });
    assert.equal(latest.result, "HELLO, ann");
    const pinned = await session.data("run_skill", { name: "greet@1", input: { name: "ann" } });
    assert.equal(pinned.result, "hello, ann");

    const fromCode = await run(
      session,
      `import { greet } from "skills/greet@1";
import { greet as loud } from "skills/greet";
return [await greet({ name: "a" }), await loud({ name: "b" })];`,
    );
    assert.equal(fromCode.ok, true, fromCode.text);
    assert.deepEqual(fromCode.result, ["hello, a", "HELLO, b"]);

    const rollback = await session.data("save_skill", { name: "greet", from_version: 1 });
    assert.equal(rollback.version, 3);
    assert.equal((await session.data("run_skill", { name: "greet", input: { name: "c" } })).result, "hello, c");

    const info = await session.data("get_skill", { name: "greet" });
    assert.equal(info.version, 3);
    assert.deepEqual(
      info.versions.map((v: any) => v.version),
      [3, 2, 1],
    );
    assert.ok(info.versions.every((v: any) => !Number.isNaN(Date.parse(v.created_at))));
    const old = await session.data("get_skill", { name: "greet", version: 2 });
    assert.match(old.code, /HELLO/);
    // Versions start at 1: version 0 is a wrong argument, not a missing skill.
    const zero = await session.call("get_skill", { name: "greet", version: 0 });
    assert.equal(zero.isError, true);
    assert.doesNotMatch((zero.content[0] as any).text, /no skill/);
    assert.match((zero.content[0] as any).text, /version/);

    const { executions } = await session.data("list_executions", { limit: 50 });
    assert.ok(executions.some((e: any) => e.kind === "skill" && e.skill === "greet@1"));
  });

  test("a pinned version that does not exist is named with the newest few versions: run_skill, get_skill, import", async () => {
    for (let i = 1; i <= 7; i++) {
      const saved = await session.data("save_skill", {
        name: "counted",
        description: `Counts, version ${i}`,
        code: `export default async function counted() { return ${i}; }`,
      });
      assert.equal(saved.version, i);
    }
    const versions = "its versions, newest first: 7, 6, 5, 4, 3, … and 2 older";
    const ran = await session.call("run_skill", { name: "counted", version: 99, input: {} });
    assert.equal(ran.isError, true);
    assert.equal(
      (ran.content[0] as any).text,
      `skill counted has no version 99; ${versions}. run_skill { name: "counted" } uses the latest, "counted@<version>" pins one`,
    );
    const got = await session.call("get_skill", { name: "counted@99" });
    assert.equal(got.isError, true);
    assert.match(
      (got.content[0] as any).text,
      /^skill counted has no version 99; its versions, newest first: 7, 6, 5, 4, 3, … and 2 older\. get_skill/,
    );
    const imported = await run(session, 'import { counted } from "skills/counted@99";\nreturn counted({});');
    assert.equal(imported.ok, false);
    assert.match(
      imported.error.message,
      /^Skill "counted" has no version 99; its versions, newest first: 7, 6, 5, 4, 3, … and 2 older\. /,
    );
    // An unknown name still gets the closest one.
    const typo = await session.call("run_skill", { name: "countd@2", input: {} });
    assert.match(
      (typo.content[0] as any).text,
      /^no skill countd@2\. Did you mean "counted"\? list_skills shows what exists$/,
    );
    await session.data("delete_skill", { name: "counted" });
  });

  test("a skill that fails its checks is refused at save time with the reason", async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: "Bad-Name", description: "x", code: GREET }, /lowercase letters/],
      [
        { name: "syntax", description: "x", code: "export default async function syntax( {" },
        /does not pass its checks/,
      ],
      [
        {
          name: "unknown_tool",
          description: "x",
          code: `import { reed_file } from "servers/workspace";\nexport default async function unknown_tool() { return reed_file({ path: "/" }); }`,
        },
        /read_file/,
      ],
      [
        { name: "two_exports", description: "x", code: "export async function a() {}\nexport async function b() {}" },
        /: the skill's code does not pass its checks: The module exports "a", "b", and none is the default or named "two_exports".*\(line 2, column \d+\)\n2 \| /s,
      ],
      [{ name: "bad_schema", description: "x", code: GREET, input_schema: { type: "string" } }, /type "object"/],
      [{ name: "no_desc", code: GREET }, /description is required/],
      [
        {
          name: "imports_skill",
          description: "x",
          code: `// uses another skill\nimport { copy_tree } from "skills/copy_tree";\nexport default async function imports_skill() { return copy_tree({ from: "/a", to: "/b" }); }`,
        },
        /: the skill's code does not pass its checks: Cannot import "skills\/copy_tree" in a skill: skills cannot import other skills\..* \(line 2, column 1\)\n2 \| import \{ copy_tree \}/s,
      ],
    ];
    for (const [input, message] of cases) {
      const r = await session.call("save_skill", input);
      assert.equal(r.isError, true, `${input.name} should be refused`);
      assert.match((r.content[0] as any).text, message);
      // Its line is named once, with the code frame.
      assert.ok(((r.content[0] as any).text.match(/\bline \d/g) ?? []).length <= 1, (r.content[0] as any).text);
    }
  });

  test("save_skill's tools/list entry says a save needs a description and code", async () => {
    const { tools } = await session.client.listTools();
    const save = tools.find((t) => t.name === "save_skill")!;
    assert.match(save.description ?? "", /^Save a skill: description, and code with one /);
  });

  test("a skill's input schema is checked in bounded time: a backtracking pattern, a multiplying schema", async () => {
    // V8's backtracking engine runs ^(a+)+$ against 40 letters and a "!" for minutes; the host matched it natively
    // before, blocking the session (and, locally, every user). Now it matches in linear time with the same answer.
    const saved = await session.call("save_skill", {
      name: "slug_len",
      description: "Length of a slug of a's",
      code: "export default async function slug_len(input: { s: string }) {\n  return input.s.length;\n}",
      input_schema: { type: "object", properties: { s: { type: "string", pattern: "^(a+)+$" } }, required: ["s"] },
    });
    assert.equal(saved.isError, undefined, JSON.stringify(saved.content));
    const r = await run(
      session,
      `import { slug_len } from "skills/slug_len";
try { await slug_len({ s: "${"a".repeat(40)}!" }); return "accepted"; } catch (e) { return String(e.message); }`,
    );
    assert.equal(r.ok, true, r.text);
    assert.match(r.result, /\/s: String does not match pattern/);
    const ok = await session.data("run_skill", { name: "slug_len", input: { s: "a".repeat(40) } });
    assert.equal(ok.result, 40);

    const defs: Record<string, unknown> = { a40: { type: "string" } };
    for (let i = 0; i < 40; i++)
      defs[`a${i}`] = { anyOf: [{ $ref: `#/$defs/a${i + 1}` }, { $ref: `#/$defs/a${i + 1}` }] };
    const dag = await session.call("save_skill", {
      name: "dag_input",
      description: "x",
      code: GREET.replace("greet", "dag_input"),
      input_schema: { type: "object", $defs: defs, properties: { name: { $ref: "#/$defs/a0" } } },
    });
    assert.equal(dag.isError, true);
    assert.match((dag.content[0] as any).text, /input_schema is too complex to check: it can apply more than 256/);
  });

  test("save_skill accepts the export forms agents write and run_skill runs the exported function", async () => {
    const forms: Record<string, string> = {
      export_then_default:
        "export async function f(input: { n: number }) {\n  return input.n * 2;\n}\nexport default f;",
      export_mid_line: "const k = 3; export default async function export_mid_line(input) { return input.n * k; }",
      export_as_default: "const f = async (input) => input.n * 4;\nexport { f as default };",
    };
    for (const [name, code] of Object.entries(forms)) {
      const saved = await session.call("save_skill", { name, description: `form ${name}`, code });
      assert.equal(saved.isError, undefined, JSON.stringify(saved.content));
    }
    const results = [];
    for (const name of Object.keys(forms)) {
      results.push((await session.data("run_skill", { name, input: { n: 5 } })).result);
    }
    assert.deepEqual(results, [10, 15, 20]);
  });

  test("save_skill reports an unknown tool and a syntax error at the skill's own line", async () => {
    const unknown = await session.call("save_skill", {
      name: "unknown_tool_line",
      description: "x",
      code: '// reads a file\nimport { reed_file } from "servers/workspace";\nconst f = async () => reed_file({ path: "/" });\nexport default f;',
    });
    assert.match(
      (unknown.content[0] as any).text,
      /does not pass its checks: "servers\/workspace" has no export "reed_file"\. Did you mean "read_file"\?.* \(line 2, column 10\)\n2 \| import/s,
    );
    const syntax = await session.call("save_skill", {
      name: "syntax_line",
      description: "x",
      code: "export default async function syntax_line(input) {\n  return input;",
    });
    assert.match(
      (syntax.content[0] as any).text,
      /does not pass its checks: Syntax error.* \(line 2, column \d+\)\n2 \| /s,
    );
  });

  test("an error thrown inside a skill is reported at the skill's own line", async () => {
    await session.data("save_skill", {
      name: "boom",
      description: "fails on purpose",
      code: "// line 1\nexport default async function boom(input: { n: number }) {\n  throw new RangeError('bad n ' + input.n);\n}",
    });
    const direct = await session.call("run_skill", { name: "boom", input: { n: 1 } });
    assert.equal(direct.isError, true);
    assert.match((direct.content[0] as any).text, /RangeError: bad n 1 \(at line 3 of skill boom@1\)/);
    const imported = await run(session, 'import { boom } from "skills/boom";\n\nawait boom({ n: 2 });');
    assert.match(imported.error.message, /RangeError: bad n 2 \(at line 3 of skill boom@1\)/);
    assert.equal(imported.error.line, undefined);
  });

  test("a tool error from a call the skill returns without awaiting names the skill, not run_skill's own code", async () => {
    await session.data("save_skill", {
      name: "read_missing",
      description: "reads a file that is not there",
      code: 'import { read_file } from "servers/workspace";\nexport default async function read_missing() {\n  return read_file({ path: "/nope.txt" });\n}',
    });
    const r = await session.call("run_skill", { name: "read_missing" });
    assert.equal(r.isError, true);
    const text = (r.content[0] as any).text as string;
    assert.match(text, /file not found: \/nope\.txt \(in skill read_missing@1\)/);
    assert.doesNotMatch(text, /of your code/);
    assert.equal((r.structuredContent as any).error.line, undefined);
  });

  test("skills are per user: another session of the same user sees them", async () => {
    const other = await connect(gateway.mcpUrl);
    try {
      const { skills } = await other.data("list_skills", { query: "greets someone" });
      assert.equal(skills[0].name, "greet");
    } finally {
      await other.close();
    }
  });

  test("delete_skill removes every version", async () => {
    await session.data("save_skill", { name: "temp", description: "temporary", code: GREET.replace("greet", "temp") });
    const d = await session.call("delete_skill", { name: "temp" });
    assert.equal((d.structuredContent as any).deleted_versions, 1);
    assert.equal((d.content[0] as any).text, "deleted temp (1 version)");
    const r = await session.call("run_skill", { name: "temp", input: {} });
    assert.equal(r.isError, true);
  });
});

test("saved skills survive a restart of the local server", async () => {
  await session.close();
  await gateway.dispose();
  gateway = await startGateway({ persistDir: gateway.persistDir, keepState: true });
  session = await connect(gateway.mcpUrl);
  const r = await session.data("run_skill", { name: "greet@2", input: { name: "z" } });
  assert.equal(r.result, "HELLO, z");
});
