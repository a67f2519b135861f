/**
 * The agent's code runs in the same isolate as the gateway's harness (worker-loader/harness.js, runtime.js), before
 * and after its tool calls. Built-ins it replaces (Array methods, Promise, Error, Object.prototype.then, …) must not
 * break the harness (an `internal` failure that loses the tool calls), spoof the gateway's warnings, or change the
 * gateway's own tool errors: the harness binds what it uses when its modules load.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { run, type Session, withGatewaySession } from "../support/gateway";

let session: Session;
withGatewaySession(
  (_, s) => {
    session = s;
  },
  { config: { limits: { max_steps: 1_000_000 } } },
);

const IMPORT = 'import { read_file, write_file } from "servers/workspace";';

/** Replacements of built-ins an attacker tried, each one statement (`any`: the gateway type-checks the code). */
const TAMPERINGS: Record<string, string> = {
  "Array.prototype.map throws": '(Array.prototype as any).map = () => { throw new Error("hijacked map"); };',
  "Array.prototype.map lies": '(Array.prototype as any).map = function () { return ["evil"]; };',
  "Array.prototype.push and slice throw":
    '(Array.prototype as any).push = (Array.prototype as any).slice = () => { throw new Error("hijacked push"); };',
  "Promise.prototype.then throws":
    '(Promise.prototype as any).then = function () { throw new Error("hijacked then"); };',
  "Promise.prototype.then never settles": "(Promise.prototype as any).then = function () { return this; };",
  "globalThis.Promise replaced": '(globalThis as any).Promise = function () { throw new Error("hijacked Promise"); };',
  "Promise.race and resolve replaced":
    '(Promise as any).race = (Promise as any).resolve = () => { throw new Error("hijacked race"); };',
  "Array.prototype[Symbol.iterator] throws":
    '(Array.prototype as any)[Symbol.iterator] = function () { throw new Error("hijacked iterator"); };',
  "Map and Set iterators throw":
    'Object.getPrototypeOf(new Map().values()).next = Object.getPrototypeOf(new Set().values()).next = () => { throw new Error("hijacked next"); };',
  "globalThis.Error replaced": '(globalThis as any).Error = function () { return { message: "fake" }; };',
  "JSON, String and Number replaced":
    'JSON.stringify = JSON.parse = (globalThis as any).String = (globalThis as any).Number = () => { throw new Error("hijacked"); };',
  "Object.prototype.then spoofs every resolution":
    '(Object.prototype as any).then = function (resolve: any) { delete (Object.prototype as any).then; resolve({ ok: true, result: \'"evil"\', logs: [], steps: 0, warnings: ["evil"] }); };',
  "Object.prototype and Array.prototype accessors":
    'for (const k of ["err", "value", "line", "skill", "scope", "failed", "by", "0", "1"]) Object.defineProperty(k === "0" || k === "1" ? Array.prototype : Object.prototype, k, { __proto__: null, get() { return "evil"; }, set() {}, configurable: true } as any);',
  "Error.prototype name and message setters":
    'for (const k of ["name", "message", "status"]) Object.defineProperty(Error.prototype, k, { get() { return "evil"; }, set() {}, configurable: true });',
};
let seeded: Promise<void> | undefined;
/** Writes the file the programs read, once (the session exists only once the gateway's before hook ran). */
function seed() {
  seeded ??= run(session, `${IMPORT}\nawait write_file({ path: "/t.txt", content: "kept" });\nreturn 1;`).then((r) =>
    assert.equal(r.ok, true, r.text),
  );
  return seeded;
}

/** The run ended as the program meant: the file's content, both tool calls listed, nothing but the gateway's words. */
function assertClean(r: any) {
  assert.equal(r.ok, true, r.text);
  assert.equal(r.result, "kept", r.text);
  assert.deepEqual(
    r.tool_calls.map((c: any) => `${c.tool}:${c.status}`),
    ["read_file:ok", "read_file:ok"],
    r.text,
  );
  assert.equal(r.warnings, undefined, r.text);
}

beforeEach(() => seed());

describe("built-ins replaced by the program do not break the harness", () => {
  for (const [name, tamper] of Object.entries(TAMPERINGS)) {
    test(`${name}, before and after tool calls`, async () => {
      const r = await run(
        session,
        `${IMPORT}\n${tamper}\nawait read_file({ path: "/t.txt" });\nconst text = await read_file({ path: "/t.txt" });\n${tamper}\nreturn text;`,
      );
      assertClean(r);
    });
  }
});

describe("built-ins replaced by a saved skill do not break its importers", () => {
  for (const [i, [name, tamper]] of Object.entries(TAMPERINGS).entries()) {
    test(`${name}, before and after tool calls`, async () => {
      const skill = `tamper_${i}`;
      const saved = await session.call("save_skill", {
        name: skill,
        description: `replaces built-ins: ${name}`,
        code: `${IMPORT}\nexport default async function ${skill}(input: { path: string }) {\n  ${tamper}\n  await read_file({ path: input.path });\n  const text = await read_file({ path: input.path });\n  ${tamper}\n  return text;\n}`,
      });
      assert.notEqual(saved.isError, true, JSON.stringify(saved.content));
      const r = await run(
        session,
        `import { ${skill} } from "skills/${skill}";\nreturn await ${skill}({ path: "/t.txt" });`,
      );
      assertClean(r);
    });
  }
});

describe("the gateway's own words cannot be spoofed", () => {
  test("a program that replaces Array.prototype.map still gets the real unhandled-rejection warning", async () => {
    const r = await run(
      session,
      `${IMPORT}\nawait read_file({ path: "/t.txt" });\n${TAMPERINGS["Array.prototype.map lies"]}\nPromise.reject(new Error("left behind"));\nreturn 1;`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, 1);
    assert.deepEqual(r.warnings, [
      { message: "Unhandled promise rejection: Error: left behind (at line 4 of your code)" },
    ]);
    assert.equal(r.tool_calls.length, 1);
  });

  test("warnings survive replaced Array and Object accessors too", async () => {
    const r = await run(
      session,
      `Promise.reject(new Error("left behind"));\n${TAMPERINGS["Object.prototype and Array.prototype accessors"]}\nreturn 1;`,
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.warnings, [
      { message: "Unhandled promise rejection: Error: left behind (at line 1 of your code)" },
    ]);
  });

  test("a replaced Error does not change the tool's error, thrown or caught", async () => {
    const missing = `${IMPORT}\nawait read_file({ path: "/missing.txt" });`;
    const real = await run(session, missing);
    assert.equal(real.ok, false);
    assert.equal(real.error.kind, "runtime");
    assert.match(real.error.message, /^ToolError: .+ \(at line 2 of your code\)$/);

    const thrown = await run(
      session,
      `${IMPORT}\n${TAMPERINGS["globalThis.Error replaced"]}\nawait read_file({ path: "/missing.txt" });`,
    );
    assert.equal(thrown.ok, false);
    assert.equal(thrown.error.kind, "runtime");
    assert.equal(thrown.error.message, real.error.message.replace("line 2", "line 3"));

    const caught = await run(
      session,
      `${IMPORT}\nconst Native = Error;\n${TAMPERINGS["globalThis.Error replaced"]}\n${TAMPERINGS["Error.prototype name and message setters"]}\ntry {\n  await read_file({ path: "/missing.txt" });\n} catch (e) {\n  return [Object.getOwnPropertyDescriptor(e, "name")?.value, Object.getOwnPropertyDescriptor(e, "message")?.value, Object.getOwnPropertyDescriptor(e, "status")?.value, e instanceof Native];\n}`,
    );
    assert.equal(caught.ok, true, caught.text);
    const [name, message, status, isError] = caught.result;
    assert.equal(name, "ToolError");
    assert.equal(`ToolError: ${message} (at line 2 of your code)`, real.error.message);
    assert.equal(typeof status, "string");
    assert.equal(isError, true);
  });

  test("a program that replaces the array iterator still sends its tool call's real arguments", async () => {
    // The arguments' walk (worker-loader/plain-data.js) iterates no array: an iterator that yields nothing would
    // otherwise have sent {} in place of the arguments.
    const r = await run(
      session,
      `${IMPORT}\n(Array.prototype as any)[Symbol.iterator] = function* () {};\nreturn await read_file({ path: "/t.txt" });`,
    );
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, "kept");
  });

  test("a program that breaks Promise and then relies on it fails at its own line, not inside the gateway", async () => {
    const r = await run(
      session,
      `${IMPORT}\n(globalThis as any).Promise = function () { throw new Error("broken Promise"); };\nawait read_file({ path: "/t.txt" });\nawait new Promise((resolve) => resolve(1));\nreturn 1;`,
    );
    assert.equal(r.ok, false);
    assert.equal(r.error.kind, "runtime", r.text);
    assert.equal(r.error.message, "Error: broken Promise (at line 2 of your code)");
    assert.deepEqual(
      r.tool_calls.map((c: any) => `${c.tool}:${c.status}`),
      ["read_file:ok"],
    );
  });

  test("the step budget is still reported when the program replaced Error and Array methods", async () => {
    const r = await run(
      session,
      `${TAMPERINGS["globalThis.Error replaced"]}\n${TAMPERINGS["Array.prototype.map throws"]}\nlet i = 0;\nwhile (true) { i++; }`,
    );
    assert.equal(r.ok, false);
    assert.equal(r.error.kind, "step_budget", r.text);
    assert.match(r.error.message, /^StepBudgetError: Execution exceeded its step budget/);
  });
});
