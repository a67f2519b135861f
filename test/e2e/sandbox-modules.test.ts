/**
 * The sandbox ships only the modules a program needs (src/sandbox/isolate-modules.ts): the small regex guard
 * (worker-loader/regex-guard-lite.js) when its code has no regex literal and never names RegExp, match, matchAll or
 * search, and `gateway` only when it or a skill it imports uses it. Likewise the metered built-ins
 * (src/sandbox/metered-selection.ts): those the program or its skills name. Each test uses a fresh session,
 * since a RegExp carried in from an earlier execution of the same session brings the full guard back.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

describe("the modules each program gets", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({ config: { servers: [{ name: "workspace", url: "builtin:workspace" }] } });
  });
  after(async () => gateway?.dispose());

  async function fresh(fn: (s: Session) => Promise<void>): Promise<void> {
    const s = await connect(gateway.mcpUrl);
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  }

  /** Saves a skill in the session's user's store; the test fails at once if the gateway refuses it. */
  async function saveSkill(s: Session, name: string, description: string, code: string): Promise<void> {
    const saved = await s.call("save_skill", { name, description, code });
    assert.notEqual(saved.isError, true, JSON.stringify(saved.content));
  }

  const REFUSED = (what: string) =>
    new RegExp(`${what} is not available in this execution: the code never names it.*Name it directly in the code`);

  test("RegExp reached through a computed global name is refused with the reason and the fix", () =>
    fresh(async (s) => {
      const r = await run(
        s,
        "const R = globalThis['Reg' + 'Exp'];\nreturn new R('(a+)+$').test('a'.repeat(40) + 'b');",
      );
      assert.equal(r.ok, false, r.text);
      assert.equal(r.error.kind, "runtime");
      assert.match(r.error.message, REFUSED("RegExp"));
      assert.equal(r.error.line, 2);
    }));

  test("match, matchAll and search reached by computed names are refused", () =>
    fresh(async (s) => {
      const cases: Array<[string, string]> = [
        ["match", "'a'.repeat(40)[m]('(a+)+$')"],
        ["matchAll", "[...'ab'[m]('b')]"],
        ["search", "Reflect.apply(Reflect.get(String.prototype, m), 'a'.repeat(40), ['(a+)+$'])"],
      ];
      for (const [name, call] of cases) {
        const m = name.split("").join("' + '");
        const r = await run(s, `const m = '${m}';\nreturn ${call};`);
        assert.equal(r.ok, false, `${name}: ${r.text}`);
        assert.match(r.error.message, REFUSED(`String\\.prototype\\.${name}`), name);
      }
    }));

  test("the same programs naming the method directly run on the full guard and get V8's answers", () =>
    fresh(async (s) => {
      const r = await run(
        s,
        "return ['a-b'.match('-').index, [...'abab'.matchAll('b')].length, 'xyz'.search('z'), new RegExp('b').test('abc')];",
      );
      assert.equal(r.ok, true, r.text);
      assert.deepEqual(r.result, [1, 2, 2, true]);
    }));

  test("string work without regexes is untouched", () =>
    fresh(async (s) => {
      const r = await run(
        s,
        "return ['a-b-c'.split('-'), 'x.y'.replace('.', '!'), 'aXbX'.replaceAll('X', ''), typeof process.env];",
      );
      assert.equal(r.ok, true, r.text);
      assert.deepEqual(r.result, [["a", "b", "c"], "x!y", "ab", "object"]);
    }));

  test("a RegExp carried from an earlier execution works in a program that never names one", () =>
    fresh(async (s) => {
      const first = await run(s, "const re = /b+/g;");
      assert.equal(first.ok, true, first.text);
      const second = await run(s, "return [re.test('abbc'), 'abbc'.replace(re, '-')];");
      assert.equal(second.ok, true, second.text);
      assert.deepEqual(second.result, [true, "a-c"]);
    }));

  test("a skill that uses a regex works when the program that imports it names none", () =>
    fresh(async (s) => {
      await saveSkill(
        s,
        "count_digits",
        "Counts the digits in a text.",
        "export default async function countDigits(input: { text: string }) {\n  return (input.text.match(/\\d/g) ?? []).length;\n}",
      );
      const r = await run(
        s,
        'import { count_digits } from "skills/count_digits";\nreturn await count_digits({ text: "a1b22" });',
      );
      assert.equal(r.ok, true, r.text);
      assert.equal(r.result, 3);
    }));

  test("a skill's built-in calls are metered when the program that imports it names none of them", () =>
    fresh(async (s) => {
      await saveSkill(
        s,
        "scan",
        "Looks for a number in a very long sparse array.",
        "export default async function scan(input: { n: number }) {\n  return new Array(2 ** 32 - 1).indexOf(input.n);\n}",
      );
      const r = await run(s, 'import { scan } from "skills/scan";\nreturn await scan({ n: 1 });');
      assert.equal(r.ok, false, r.text);
      assert.equal(r.error.kind, "step_budget", r.text);
    }));

  test("a program that names no method gets V8's answers where the engine converts arrays itself", () =>
    fresh(async (s) => {
      const r = await run(s, "const a = [1, [2, [3, 'x']]];\nreturn ['' + a, `${a}`, [[2], [10]].sort()];");
      assert.equal(r.ok, true, r.text);
      assert.deepEqual(r.result, ["1,2,3,x", "1,2,3,x", [[10], [2]]]);
    }));

  test("a program that names no method is still charged for the join the engine calls on an array", () =>
    fresh(async (s) => {
      // It gets only the three wrappers metered-builtins.js installs itself (no metered-more.js): converting a huge
      // sparse array to text calls its toString and join, which must charge by its length.
      const r = await run(s, "const a = new Array(2 ** 32 - 1);\nreturn ('' + a).length;");
      assert.equal(r.ok, false, r.text);
      assert.equal(r.error.kind, "step_budget", r.text);
    }));

  test("a program that names one method beyond those gets every wrapper it names (metered-more.js ships)", () =>
    fresh(async (s) => {
      const r = await run(s, "const a = new Array(2 ** 32 - 1);\nreturn a.lastIndexOf(1);");
      assert.equal(r.ok, false, r.text);
      assert.equal(r.error.kind, "step_budget", r.text);
    }));

  test("a skill that imports gateway works when the program that imports it does not (gateway.js ships for it)", () =>
    fresh(async (s) => {
      await saveSkill(
        s,
        "remember",
        "Keeps a value in the session's state and reads it back.",
        'import { state } from "gateway";\nexport default async function remember(input: { value: string }) {\n  await state.set("kept", input.value);\n  return await state.get("kept");\n}',
      );
      const r = await run(s, 'import { remember } from "skills/remember";\nreturn await remember({ value: "v1" });');
      assert.equal(r.ok, true, r.text);
      assert.equal(r.result, "v1");
    }));
});
