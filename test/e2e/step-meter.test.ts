/**
 * The step budget against programs that attack its count (worker-loader/runtime.js `meter`): loops count on a
 * function-local alias of the runtime's meter object, and built-ins charge and refund it. Each program below would
 * run far past the budget if it could stop or rewind the count; its loop is long but finite, so a regression fails
 * the test instead of freezing local workerd.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { run, type Session, withGatewaySession } from "../support/gateway";

const MAX_STEPS = 200_000;
const BUDGET = /exceeded its step budget \(200000 steps/;

describe("the step meter under attack", () => {
  let session: Session;
  withGatewaySession(
    (_, s) => {
      session = s;
    },
    { config: { limits: { max_steps: MAX_STEPS } } },
  );

  async function spendsBudget(code: string): Promise<void> {
    const r = await run(session, code);
    assert.equal(r.ok, false, `the program ran past the budget: ${r.text}`);
    assert.equal(r.error.kind, "step_budget", r.text);
    assert.match(r.error.message, BUDGET);
  }

  test("replacing Math.max does not let the regex guard's refunds reset the count", () =>
    spendsBudget(
      "Math.max = () => 0;\nconst re = /a/;\nconst text = 'a' + 'b'.repeat(200);\nlet n = 0;\n" +
        "for (let i = 0; i < 2_000_000; i++) { re.test(text); n++; }\nreturn n;",
    ));

  test("accessors named n, max and over on Object.prototype do not reach the loops' count", () =>
    spendsBudget(
      "for (const key of ['n', 'max', 'over']) {\n" +
        "  Object.defineProperty(Object.prototype, key, { get: () => (key === 'max' ? Infinity : () => {}), set() {}, configurable: true });\n" +
        "}\nlet n = 0;\nfor (let i = 0; i < 2_000_000; i++) n++;\nreturn n;",
    ));

  test("a loop in a function carried from an earlier execution counts on the later one's meter", async () => {
    const first = await run(
      session,
      "function spin(k: number) { let t = 0; for (let i = 0; i < k; i++) t++; return t; }",
    );
    assert.equal(first.ok, true, first.text);
    await spendsBudget("spin(2_000_000)");
  });

  test("a loop in a saved skill the program imports counts on the program's meter", async () => {
    const saved = await session.call("save_skill", {
      name: "spin_skill",
      description: "counts to k",
      code: "export function spin_skill(input: { k: number }) { let t = 0; while (t < input.k) t++; return t; }",
    });
    assert.notEqual(saved.isError, true, JSON.stringify(saved.content));
    await spendsBudget('import { spin_skill } from "skills/spin_skill";\nreturn await spin_skill({ k: 2_000_000 });');
  });
});

describe("built-ins and parsing are charged for what they cost", () => {
  // The default budget (50,000,000 steps, about a second of loop at most): case mapping a 40 MB string took 0.44 s
  // for 625,000 steps before, 20 of them 8.8 s, while every other user of local workerd waited.
  let session: Session;
  withGatewaySession((_, s) => {
    session = s;
  });

  /** Each program must end on the default step budget instead of running on. */
  async function eachSpendsTheBudget(programs: string[]): Promise<void> {
    for (const code of programs) {
      const r = await run(session, code);
      assert.equal(r.ok, false, `${code}: ${r.text}`);
      assert.equal(r.error.kind, "step_budget", r.text);
    }
  }

  test("case mapping, normalizing and JSON.parse charge per character, so repeated big ones spend the budget", async () => {
    await eachSpendsTheBudget([
      'const s = "x".repeat(2e7);\nlet n = 0;\nfor (let i = 0; i < 5; i++) n += (s + i).toUpperCase().length;\nreturn n;',
      'return ("e\u0301".repeat(4e6) + "!").normalize("NFC").length;',
      'const text = JSON.stringify("x".repeat(2e7));\nlet n = 0;\nfor (let i = 0; i < 5; i++) n += JSON.parse(text).length;\nreturn n;',
    ]);
  });

  test("array built-ins that copy, sort, join or serialize charge per element; ordinary data work fits", async () => {
    // join turns each value into text (134-272 ns each in V8) and was charged a step per 16 values: 40 joins of a
    // million numbers ran about ten seconds on 5,000,000 steps.
    await eachSpendsTheBudget([
      'const a = new Array(1e6).fill(1);\nlet n = 0;\nfor (let i = 0; i < 40; i++) n += a.join(",").length;\nreturn n;',
      "const a = Array.from({ length: 1e6 }, (_, i) => -i);\nfor (let i = 0; i < 20; i++) a.slice().sort();\nreturn 1;",
      "const a = new Array(1e6).fill(0);\nlet n = 0;\nfor (let i = 0; i < 40; i++) n += JSON.stringify(a).length;\nreturn n;",
    ]);
    const fits = await run(
      session,
      [
        "const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: i, score: (i * 7919) % 1000 }));",
        "const top = rows.slice().sort((a, b) => b.score - a.score).slice(0, 10);",
        'const csv = rows.slice(0, 1_000).map((r) => r.id + "," + r.score).join("\\n");',
        "return [top.length, csv.length > 0, JSON.stringify(rows).length > 0];",
      ].join("\n"),
    );
    assert.equal(fits.ok, true, fits.text);
    assert.deepEqual(fits.result, [10, true, true]);
  });

  test("parsing tool results is charged like the program's own JSON.parse", async () => {
    // 60 reads of a 1 MB file: 60,000,000 characters parsed in the sandbox, past the 50,000,000-step budget.
    await eachSpendsTheBudget([
      [
        'import { read_file, write_file } from "servers/workspace";',
        'await write_file({ path: "/big.txt", content: "x".repeat(1_000_000) });',
        "let n = 0;",
        'for (let i = 0; i < 60; i++) n += (await read_file({ path: "/big.txt" })).length;',
        "return n;",
      ].join("\n"),
    ]);
    const few = await run(
      session,
      'import { read_file } from "servers/workspace";\nreturn (await read_file({ path: "/big.txt" })).length;',
    );
    assert.equal(few.result, 1_000_000, few.text);
  });

  test("replaceAll and split at a string charge per piece; few pieces of a long string stay cheap", async () => {
    await eachSpendsTheBudget([
      'return "x".repeat(2e6).replaceAll("x", "yy").length;',
      'return "x,".repeat(2e6).split(",").length;',
      'return "x".repeat(2e6).split("").length;',
    ]);
    const cheap = await run(
      session,
      'const text = "a".repeat(5e6) + "\\n" + "b".repeat(5e6);\nreturn [text.replaceAll("\\n", " ").length, text.split("\\n").length, text.toLowerCase().length];',
    );
    assert.equal(cheap.ok, true, cheap.text);
    assert.deepEqual(cheap.result, [10_000_001, 2, 10_000_001]);
  });
});
