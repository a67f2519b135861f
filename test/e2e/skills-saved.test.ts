/**
 * A user's own skills: each save is a new version (pins, rollback, run records, a missing version named with the
 * newest), what save_skill checks and refuses, the export forms it accepts, errors named at the skill's own line,
 * other sessions of the user seeing them, delete_skill, and the skills surviving a restart. The shipped skills and
 * run_skill's input: skills-run.test.ts.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

let gateway: Gateway;
let session: Session;

before(async () => {
  gateway = await startGateway({ keepState: true });
  session = await connect(gateway.mcpUrl);
});
after(async () => {
  await session?.close();
  await gateway?.dispose();
  if (gateway) rmSync(gateway.persistDir, { recursive: true, force: true });
});

const GREET = `export default async function greet(input: { name: string }) {
  return \`hello, \${input.name}\`;
}`;

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
