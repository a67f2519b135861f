/**
 * Which skill modules save_skill accepts, and how it explains the ones it refuses. Accepted modules are prepared,
 * assembled into their sandbox modules (skills/skill-modules.ts) and run in Node with stand-ins for the runtime and
 * a server, so each test proves the skill's own function is what `import { name } from "skills/name"` calls.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Catalog } from "../../../src/registry/registry";
import type { PrepareError } from "../../../src/sandbox/prepare-types";
import {
  prepareSkill,
  shippedToolUses,
  skillDrift,
  unrunnableFix,
  unrunnableReason,
} from "../../../src/skills/skill-check";
import { skillModules } from "../../../src/skills/skill-modules";
import type { SkillVersion } from "../../../src/skills/skill-types";

const GUARD = "__cg_step_0a1b2c";

/** Only what import checks read from a catalog: server ids and tool ids. */
const CATALOG = {
  servers: [{ serverId: "workspace", tools: ["read_file", "write_file"].map((id) => ({ id })) }],
} as unknown as Catalog;

const STAND_INS: Record<string, string> = {
  "package.json": '{ "type": "module" }',
  "runtime.js": "export function step() {}\nexport async function host() {}\n",
  "servers/workspace.js": "export async function read_file({ path }) { return 'contents of ' + path; }\n",
};

let root = "";
let runs = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "skill-check-test-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Saves-and-runs in miniature: prepares `code` as skill `name`, then calls it with `input` through its module. */
async function runSkill(name: string, code: string, input: Record<string, unknown> = {}): Promise<unknown> {
  const prepared = prepareSkill(code, name, CATALOG, GUARD);
  if (!prepared.ok) throw new Error(`refused: ${prepared.error.message}`);
  const skill = { name, version: 1 } as SkillVersion;
  const dir = join(root, `run-${runs++}`);
  for (const [path, text] of Object.entries({ ...STAND_INS, ...skillModules(skill, prepared.code) })) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const module = await import(pathToFileURL(join(dir, "skills", `${name}@1.js`)).href);
  return module[name](input);
}

function refusal(name: string, code: string): PrepareError {
  const prepared = prepareSkill(code, name, CATALOG, GUARD);
  if (prepared.ok) throw new Error(`expected a refusal, got:\n${prepared.code}`);
  return prepared.error;
}

describe("skill modules that are accepted", () => {
  it("runs `export default async function <name>(input)`", async () => {
    const code =
      "export default async function greet(input: { name: string }): Promise<string> {\n  return 'hi ' + input.name;\n}";
    assert.equal(await runSkill("greet", code, { name: "ann" }), "hi ann");
  });

  it("runs an anonymous `export default async function (input)`", async () => {
    const code = "export default async function (input) {\n  return input.n * 2;\n}\n(1);";
    assert.equal(await runSkill("double", code, { n: 4 }), 8);
  });

  it("runs `export default f` with `f` declared above", async () => {
    const code = "async function f(input) {\n  return input.n + 1;\n}\nexport default f;";
    assert.equal(await runSkill("inc", code, { n: 1 }), 2);
  });

  it("runs `export default f` with `f` an arrow function in a const", async () => {
    const code = "const f = async (input) => input.n + 1;\nexport default f";
    assert.equal(await runSkill("inc", code, { n: 2 }), 3);
  });

  it("runs `export async function f` together with `export default f`", async () => {
    const code = "export async function f(input) {\n  return input.n * 3;\n}\nexport default f;";
    assert.equal(await runSkill("triple", code, { n: 2 }), 6);
  });

  it("runs `export async function <skill name>`", async () => {
    const code =
      'import { read_file } from "servers/workspace";\nexport async function peek(input) {\n  return read_file({ path: input.path });\n}';
    assert.equal(await runSkill("peek", code, { path: "/a" }), "contents of /a");
  });

  it("runs `export { f as default }`", async () => {
    const code = "async function f(input) {\n  return [input.a];\n}\nexport { f as default };";
    assert.deepEqual(await runSkill("wrap", code, { a: 1 }), [1]);
  });

  it("runs an export that is not at the start of a line", async () => {
    const code = "const unit = 'km'; export default async function dist(input) { return input.n + unit; }";
    assert.equal(await runSkill("dist", code, { n: 5 }), "5km");
  });

  it("runs `export default async (input) => …`", async () => {
    assert.equal(await runSkill("neg", "export default async (input) => -input.n;", { n: 7 }), -7);
  });

  it("runs `export const <skill name> = async (input) => …`", async () => {
    assert.equal(await runSkill("half", "export const half = async (input) => input.n / 2;", { n: 8 }), 4);
  });

  it("runs the default export when helpers are exported too", async () => {
    const code =
      "export function helper(x) { return x + 1; }\nexport default async function main(input) { return helper(input.n); }";
    assert.equal(await runSkill("main_plus", code, { n: 1 }), 2);
  });

  it("runs a single named export whatever its name", async () => {
    assert.equal(await runSkill("other", "export async function run(input) { return input.n; }", { n: 9 }), 9);
  });

  it("leaves the skill's text alone: strings on line 1 and names like __skill_main keep their value", async () => {
    const code =
      'const a = \'import x from "./y.js"\', b = "__skill_main";\nexport default async function texts() { return [a, b]; }';
    assert.deepEqual(await runSkill("texts", code), ['import x from "./y.js"', "__skill_main"]);
  });
});

describe("skill modules that are refused, at the skill's own line", () => {
  it("refuses a module without an export and shows the form to use", () => {
    const error = refusal("greet", "async function greet(input) { return 1; }");
    assert.match(error.message, /must export its function, e\.g\. "export default async function greet\(input\)/);
  });

  it("refuses several named exports when none is the default or named after the skill", () => {
    const error = refusal("greet", "export async function a() {}\nexport async function b() {}");
    assert.match(error.message, /exports "a", "b", and none is the default or named "greet"/);
    assert.equal(error.line, 2);
  });

  it("refuses a default export that is a class or a plain value", () => {
    const cls = refusal("greet", "// skill\nexport default class Greeter {}");
    assert.match(cls.message, /export "default" is a class/);
    assert.equal(cls.line, 2);
    const value = refusal("greet", "const greeting = 'hi';\n\nexport default greeting;");
    assert.match(value.message, /is not a function/);
    assert.equal(value.line, 3);
  });

  it("refuses a re-export of another module", () => {
    const error = refusal("greet", 'export * from "servers/workspace";');
    assert.match(error.message, /cannot re-export another module/);
    assert.equal(error.line, 1);
  });

  it("refuses a top-level return and says where the result belongs", () => {
    const error = refusal("greet", "export default async function greet() {}\nreturn 1;");
    assert.match(error.message, /'return' outside of function.*return the result from inside that function/);
    assert.equal(error.line, 2);
  });

  it("reports a syntax error at the skill's last line, not at a line the gateway added", () => {
    const error = refusal("greet", "export default async function greet(input) {\n  return input.name;");
    assert.equal(error.kind, "syntax");
    assert.equal(error.line, 2);
    assert.match(error.message, /2 \| {3}return input\.name;/);
  });

  it("reports an unknown tool as an unknown tool, with suggestions, whatever the export form", () => {
    const code =
      'import { reed_file } from "servers/workspace";\nconst f = async () => reed_file({ path: "/" });\nexport default f;';
    const error = refusal("peek", code);
    assert.equal(error.kind, "import");
    assert.match(error.message, /"servers\/workspace" has no export "reed_file"\. Did you mean "read_file"\?/);
    assert.equal(error.line, 1);
  });
});

describe("the tools a shipped skill calls", () => {
  const tool = (id: string) => ({ id, name: id, hash: `h-${id}` });
  const workspace = { name: "workspace", serverId: "workspace", status: "ok", tools: [tool("read_file")] };
  const catalog = {
    byServerId: new Map([["workspace", { ...workspace, byId: new Map([["read_file", tool("read_file")]]) }]]),
    byName: new Map([["workspace", { ...workspace, byUpstreamName: new Map([["read_file", tool("read_file")]]) }]]),
  } as unknown as Catalog;
  const code =
    'import { read_file, write_file } from "servers/workspace";\nimport type { X } from "servers/workspace";\n' +
    "export default async function copy(input: { path: string }) {\n  await write_file({ path: input.path, content: await read_file(input) });\n}";

  it("reads them from the code, with today's hashes, and keeps a tool the catalog lacks so drift names it", () => {
    const uses = shippedToolUses(code, catalog);
    assert.deepEqual(uses, [
      { server: "workspace", tool: "read_file", hash: "h-read_file" },
      { server: "workspace", tool: "write_file" },
    ]);
    const skill = { name: "copy", version: 1, uses, builtin: true } as SkillVersion;
    assert.deepEqual(skillDrift(skill, catalog), [
      { server: "workspace", tool: "write_file", status: "missing", reason: "workspace no longer lists it" },
    ]);
  });
});

describe("whether a skill can run, from its drift", () => {
  const use = (server: string, tool: string) => ({ server, tool, hash: `h-${tool}` });
  const skill = { name: "s", version: 2, uses: [use("gone", "a"), use("gone", "b"), use("here", "c")] } as SkillVersion;
  const here = { name: "here", serverId: "here", status: "ok", byUpstreamName: new Map([["c", { hash: "other" }]]) };
  const catalog = { byName: new Map([["here", here]]), byServerId: new Map([["here", here]]) } as unknown as Catalog;

  it("a removed server stops it, naming every tool it calls there, with what to do", () => {
    const drift = skillDrift(skill, catalog);
    assert.equal(
      unrunnableReason(drift),
      "it calls gone.a, gone.b, but server gone was removed (no server of that name is configured)",
    );
    assert.match(unrunnableFix(drift), /^add the server again \(add_server/);
  });

  it("a changed tool does not stop it; a tool no longer listed does", () => {
    const changed = skillDrift({ ...skill, uses: [use("here", "c")] } as SkillVersion, catalog);
    assert.equal(changed[0]?.status, "changed");
    assert.equal(unrunnableReason(changed), undefined);
    const gone = skillDrift({ ...skill, uses: [use("here", "d")] } as SkillVersion, catalog);
    assert.equal(unrunnableReason(gone), "it calls here.d, but here no longer lists it");
    assert.match(unrunnableFix(gone), /^save a new version of the skill/);
  });
});
