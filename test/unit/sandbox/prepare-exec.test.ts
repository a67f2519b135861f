/**
 * Executes prepared modules in Node to prove the transform keeps semantics and that the step guard stops runaway
 * code. Each run happens in a worker thread with a hard timeout, so a guard regression fails the test instead of
 * freezing the test process.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { agentLocation } from "../../../src/sandbox/prepare";
import { prepare } from "./prepare-fixtures";

const BUDGET = 5_000;

/**
 * A stand-in for the sandbox runtime with its guard protocol (worker-loader/runtime.js): loops count on `meter`
 * and call `meter.over()` once past `meter.max`; `step(weight)` counts and, once over budget, throws on every later
 * call.
 */
const RUNTIME = `
export class StepLimitError extends Error { name = "StepLimitError"; }
export const meter = { n: 0, max: ${BUDGET}, over() { step(0); } };
export function step(weight = 1) {
  meter.n += weight;
  if (meter.n > meter.max) throw new StepLimitError("step budget of ${BUDGET} exceeded");
}
`;

const FAKE_MODULES: Record<string, string> = {
  "package.json": '{ "type": "module" }',
  "runtime.js": RUNTIME,
  "gateway.js": "export const state = { n: 0 }; export function progress() {}",
  "servers/workspace.js": "export async function read_file({ path }) { return 'contents of ' + path; }",
  "skills/copy_tree@3.js": "export function copy_tree(a, b) { return a + ' -> ' + b; }",
};

const WORKER = `
const { workerData, parentPort } = require("node:worker_threads");
import(workerData.url)
  .then((mod) => mod.default())
  .then(
    (value) => parentPort.postMessage({ ok: true, value }),
    (error) => parentPort.postMessage({ ok: false, name: error?.name, message: String(error?.message), stack: String(error?.stack) }),
  );
`;

type RunResult = { ok: true; value: unknown } | { ok: false; name: string; message: string; stack: string };

let root = "";
let runs = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "prepare-test-"));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Prepares `code`, writes it with the fake modules to a fresh directory and runs its default export. */
async function run(code: string): Promise<RunResult> {
  const prepared = prepare(code);
  if (!prepared.ok) throw new Error(`prepare failed: ${prepared.error.message}`);
  const dir = join(root, `run-${runs++}`);
  for (const [name, text] of Object.entries({ ...FAKE_MODULES, "agent.js": prepared.code })) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const worker = new Worker(WORKER, { eval: true, workerData: { url: pathToFileURL(join(dir, "agent.js")).href } });
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the prepared code did not stop within 10 s")), 10_000);
      worker.once("message", (message: RunResult) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await worker.terminate();
  }
}

function assertStopped(result: RunResult) {
  assert.equal(result.ok, false, `expected the guard to stop it, got ${JSON.stringify(result)}`);
  if (!result.ok) assert.equal(result.name, "StepLimitError", result.stack);
}

describe("prepared code in Node", () => {
  it("keeps semantics: imports, top-level await and return, TypeScript, closures, classes", async () => {
    const result = await run(
      [
        'import { read_file } from "servers/workspace";',
        'import { state } from "gateway";',
        'import { copy_tree } from "skills/copy_tree";',
        "enum Mode { Fast = 1, Slow }",
        "class Counter { constructor(private n: number = 0) {} inc(): number { return ++this.n; } }",
        "const c = new Counter();",
        "const parts: string[] = [];",
        "for (const p of ['a', 'b']) parts.push(await read_file({ path: p }));",
        "let i = 0; while (i < 3) i++;",
        "const sq = (x: number) => x * x;",
        "function* gen() { yield 1; yield 2; }",
        "state.n = [...gen()].reduce((a, b) => a + b, 0);",
        "return { parts, i, sq: sq(4), inc: [c.inc(), c.inc()], mode: Mode.Slow, n: state.n, copied: copy_tree('x', 'y') };",
      ].join("\n"),
    );
    assert.deepEqual(result, {
      ok: true,
      value: {
        parts: ["contents of a", "contents of b"],
        i: 3,
        sq: 16,
        inc: [1, 2],
        mode: 2,
        n: 3,
        copied: "x -> y",
      },
    });
  });

  it("reports errors at the agent's own line", async () => {
    const result = await run(
      'import { read_file } from "servers/workspace";\ninterface A { a: number }\nconst a: A = { a: 1 };\n\nthrow new Error("on line 5");',
    );
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(agentLocation(result.stack)?.line, 5, result.stack);
  });

  it("stops while (true) {}", async () => {
    assertStopped(await run("while (true) {}"));
  });

  it("stops for (;;) {} inside nested functions", async () => {
    assertStopped(await run("function inner() { for (;;) {} }\nfunction outer() { inner(); }\nouter();\nreturn 1;"));
  });

  it("stops infinite recursion before the stack overflows", async () => {
    assertStopped(await run("function r(n: number): number { return r(n + 1); }\nreturn r(0);"));
    assertStopped(await run("const r = (): number => r();\nreturn r();"));
  });

  it("stops loops whose inner errors the agent swallows", async () => {
    assertStopped(await run("for (;;) { try { while (true) {} } catch {} }"));
    assertStopped(await run("do try { for (;;); } catch (e) {} while (true)"));
  });

  it("stops infinite generators and async loops", async () => {
    assertStopped(await run("function* g() { while (true) yield 1; }\nfor (const x of g()) {}"));
    assertStopped(await run("async function spin() { while (true) await null; }\nawait spin();"));
    assertStopped(await run("const o = { get x(): number { return this.x; } };\nreturn o.x;"));
  });
});

describe("the value of the last expression", () => {
  it("is the result when the code ends with an expression and has no return", async () => {
    assert.deepEqual(await run("1 + 1"), { ok: true, value: 2 });
  });

  it("is the awaited value of a final tool call", async () => {
    const code = 'import { read_file } from "servers/workspace";\nawait read_file({ path: "/a.txt" });';
    assert.deepEqual(await run(code), { ok: true, value: "contents of /a.txt" });
  });

  it("spans every line of a multi-line final expression", async () => {
    assert.deepEqual(await run("const a = [1, 2];\na\n  .map((x) => x * 10)\n  .concat([3])"), {
      ok: true,
      value: [10, 20, 3],
    });
  });

  it("ignores imports and empty statements after it", async () => {
    const code = 'const n = 4;\nn * 2;\n;\nimport { state } from "gateway";';
    assert.deepEqual(await run(code), { ok: true, value: 8 });
  });

  it("gives way to a top-level return anywhere, even one that does not run", async () => {
    assert.deepEqual(await run("if (Math.random() > 2) return 'never';\n'the last expression'"), {
      ok: true,
      value: undefined,
    });
    assert.deepEqual(await run("try { return 'explicit'; } finally {}\n'unreachable'"), {
      ok: true,
      value: "explicit",
    });
  });

  it("is not taken from a statement that is not an expression, nor from a return inside a function", async () => {
    assert.deepEqual(await run("const x = 5;"), { ok: true, value: undefined });
    assert.deepEqual(await run("function f() { return 1; }\nf() + 1"), { ok: true, value: 2 });
  });
});
