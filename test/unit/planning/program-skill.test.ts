import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { programAsSkill } from "../../../src/planning/program-skill";

describe("programAsSkill", () => {
  it("keeps imports at the top and wraps the body, types and all, in the default export", () => {
    const r = programAsSkill(
      'import { read_file } from "servers/workspace";\nconst t: string = await read_file({ path: "/a" });\nreturn t;',
      "read_a",
    );
    assert.deepEqual(r, {
      ok: true,
      code: [
        'import { read_file } from "servers/workspace";',
        "",
        "export default async function read_a(_input: Record<string, never> = {}) {",
        'const t: string = await read_file({ path: "/a" });',
        "return t;",
        "}",
        "",
      ].join("\n"),
    });
  });

  it("moves a multi-line import whole", () => {
    const r = programAsSkill('import {\n  a,\n  b,\n} from "servers/x";\nreturn a;', "ab");
    assert.ok(r.ok);
    assert.match(r.code, /^import \{\n {2}a,\n {2}b,\n\} from "servers\/x";\n\nexport default async function ab\(/);
  });

  it("refuses a program with exports of its own", () => {
    const r = programAsSkill("export const x = 1;", "x");
    assert.equal(r.ok, false);
  });

  it("returns the value of a program that ends on a bare expression, as execute_code does", () => {
    const r = programAsSkill("const n: number = 2;\nn * 21", "answer");
    assert.ok(r.ok);
    assert.match(r.code, /\nreturn n \* 21\n\}\n$/);
  });

  it("leaves a program with its own return as written", () => {
    const r = programAsSkill("if (Math.random() > 2) return 1;\n0", "maybe");
    assert.ok(r.ok);
    assert.match(r.code, /\n0\n\}\n$/);
  });
});
