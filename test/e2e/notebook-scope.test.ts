/**
 * Notebook contexts (src/scope/): a program's top-level bindings live on into the next execution of the same
 * session, durably, through the real gateway (workerd, Worker Loader isolates, SQLite Durable Objects).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

describe("carried scope", () => {
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway({
      config: {
        servers: [{ name: "workspace", url: "builtin:workspace" }],
        limits: { max_scope_value_bytes: 4096, max_scope_bytes: 10_000, max_scope_names: 50 },
      },
    });
  });
  after(async () => gateway?.dispose());

  test("variables and functions of one execution are in scope in the next; a new session sees none", async () => {
    const s = await connect(gateway.mcpUrl);
    const other = await connect(gateway.mcpUrl);
    try {
      const first = await run(s, "const xs = [1, 2, 3];\nfunction double(n) { return n * 2; }");
      assert.equal(first.ok, true, first.text);
      assert.deepEqual(first.scope.kept.sort(), ["double", "xs"]);
      const second = await run(s, "xs.map(double)");
      assert.equal(second.ok, true, second.text);
      assert.deepEqual(second.result, [2, 4, 6]);
      const elsewhere = await run(other, "typeof xs");
      assert.equal(elsewhere.result, "undefined");
    } finally {
      await s.close();
      await other.close();
    }
  });

  test("a name not defined in a session that carried nothing in says why variables may be missing; with carried values it does not", async () => {
    const fresh = await connect(gateway.mcpUrl);
    try {
      const r = await run(fresh, "return ys.length;");
      assert.equal(r.ok, false);
      assert.match(
        r.error.message,
        /^ReferenceError: ys is not defined \(at line 1 of your code\)\. If ys was a top-level variable of an earlier execution: variables carry from one execution to the next within one MCP session \(or 2026-07-28 context\), and this one started with none\. A client that opens a new session for every call \(the MCP Inspector CLI does\) starts empty each time/,
      );
      await run(fresh, "const xs = [1];");
      const typo = await run(fresh, "return xz.length;");
      assert.equal(typo.error.message, "ReferenceError: xz is not defined (at line 1 of your code)");
    } finally {
      await fresh.close();
    }
  });

  test("a program that does not name a carried value leaves it as stored; a carried function still reaches its own", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await run(
        s,
        "const big = Array.from({ length: 300 }, (_, i) => i);\nlet count = 0;\nfunction bump() { count++; return count; }",
      );
      const bumped = await run(s, "bump()");
      assert.equal(bumped.ok, true, bumped.text);
      assert.equal(bumped.result, 1);
      const other = await run(s, "const note = 'unrelated';\nreturn 42;");
      assert.equal(other.result, 42);
      assert.deepEqual(other.scope.kept.sort(), ["big", "bump", "count", "note"]);
      const typed = await run(s, "let copy: typeof big = [];\ncopy.push(1);\nreturn copy.length;");
      assert.equal(typed.ok, true, typed.text);
      assert.equal(typed.warnings, undefined, JSON.stringify(typed.warnings));
      const r = await run(s, "return [big.length, big[299], count, note];");
      assert.deepEqual(r.result, [300, 299, 1, "unrelated"]);
    } finally {
      await s.close();
    }
  });

  test("a misspelled carried name is warned about with the carried name it resembles, though the program does not name it", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await run(s, "const customers = [1, 2, 3];");
      const r = await run(s, "return customer.length;");
      assert.equal(r.ok, false, r.text);
      assert.ok(
        r.warnings?.some((w: { message: string }) => /Did you mean 'customers'\?/.test(w.message)),
        JSON.stringify(r.warnings),
      );
      const kept = await run(s, "return customers;");
      assert.deepEqual(kept.result, [1, 2, 3]);
    } finally {
      await s.close();
    }
  });

  test("carried values are let bindings: reassigned, mutated and redeclared values carry on", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await run(s, "let n = 1; const list = [];");
      await run(s, "n = n + 1; list.push('a');");
      await run(s, "const list = ['fresh'];");
      const r = await run(s, "return { n, list };");
      assert.deepEqual(r.result, { n: 2, list: ["fresh"] });
    } finally {
      await s.close();
    }
  });

  test("Date, Map, Set, RegExp, typed arrays, BigInt, undefined, NaN and -0 round-trip", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(
        s,
        "const d = new Date(0); const m = new Map([['k', new Set([1])]]); const r = /x+/g; const t = new Uint16Array([7, 65535]); const b = 2n ** 70n; const u = undefined; const nan = NaN; const z = -0;",
      );
      assert.equal(first.ok, true, first.text);
      const second = await run(
        s,
        "return [d.toISOString(), [...m.get('k')], r.flags, r.test('xx'), [...t], String(b), u === undefined, Number.isNaN(nan), Object.is(z, -0)];",
      );
      assert.deepEqual(second.result, [
        "1970-01-01T00:00:00.000Z",
        [1],
        "g",
        true,
        [7, 65535],
        String(2n ** 70n),
        true,
        true,
        true,
      ]);
    } finally {
      await s.close();
    }
  });

  test("classes and imports carry over; carried functions keep the step guard", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(
        s,
        `import { write_file, read_file } from "servers/workspace";
class Counter { constructor() { this.n = 0; } inc() { return ++this.n; } }
function spin() { for (;;) {} }
await write_file({ path: "/nb.txt", content: "hello" });`,
      );
      assert.equal(first.ok, true, first.text);
      const second = await run(
        s,
        "const c = new Counter(); c.inc(); return [c.inc(), await read_file({ path: '/nb.txt' })];",
      );
      assert.deepEqual(second.result, [2, "hello"]);
      const third = await run(s, "spin()");
      assert.equal(third.ok, false);
      assert.equal(third.error.kind, "step_budget", third.text);
    } finally {
      await s.close();
    }
  });

  test("a class with a static block is not carried: later executions neither re-run it nor call its tools", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(
        s,
        `import { write_file } from "servers/workspace"; class C { static { console.log("static block ran"); write_file({ path: "/static.txt", content: "x" }) } } 1`,
      );
      assert.equal(first.ok, true, first.text);
      assert.deepEqual(first.logs, ["static block ran"]);
      for (const code of ["2", "const y = 5; y"]) {
        const later = await run(s, code);
        assert.equal(later.ok, true, later.text);
        assert.deepEqual(later.logs, [], code);
        assert.deepEqual(later.tool_calls, [], code);
      }
      assert.ok(!first.scope.kept.includes("C"));
      const reason = first.scope.dropped.find((d: { name: string }) => d.name === "C")?.reason ?? "";
      assert.match(reason, /class C runs code when it is declared \(a static block\).*declare the class again/);
      // Named, it is not there: the note above said to declare it again.
      const named = await run(s, "typeof C");
      assert.equal(named.result, "undefined", named.text);
      assert.deepEqual(named.logs, []);
      assert.deepEqual(named.tool_calls, []);
    } finally {
      await s.close();
    }
  });

  test("a pure class or a function comes into a later execution only when named", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const first = await run(
        s,
        `const base = 21;
class D { constructor() { console.log("D built"); } get twice() { return 2 * D.unit; } static unit = base; }
function loud() { console.log("loud called"); return "loud"; }
const made = [1];`,
      );
      assert.equal(first.ok, true, first.text);
      assert.deepEqual(first.scope.kept.sort(), ["D", "base", "loud", "made"]);
      const unrelated = await run(s, "const y = 5; y");
      assert.equal(unrelated.ok, true, unrelated.text);
      assert.deepEqual(unrelated.logs, []);
      assert.deepEqual(unrelated.scope.kept.sort(), ["D", "base", "loud", "made", "y"]);
      // A program that does not name D does not declare it: its static initializer, which reads `base`, would
      // otherwise run before this program's own `base` is initialized.
      const redeclares = await run(s, "const base = 2; base * 2");
      assert.equal(redeclares.ok, true, redeclares.text);
      assert.equal(redeclares.result, 4);
      const named = await run(s, "return [new D().twice, loud(), made.length];");
      assert.equal(named.ok, true, named.text);
      assert.deepEqual(named.result, [4, "loud", 1]);
      assert.deepEqual(named.logs, ["D built", "loud called"]);
    } finally {
      await s.close();
    }
  });

  test("values that cannot be stored are dropped and named with the reason; caps evict oldest first, announced", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const r = await run(
        s,
        "const p = Promise.resolve(1); const f = () => 1; const cyc = {}; cyc.self = cyc; const big = 'x'.repeat(5000); const ok = 1;",
      );
      assert.equal(r.ok, true, r.text);
      const reasons = Object.fromEntries(
        r.scope.dropped.map((d: { name: string; reason: string }) => [d.name, d.reason]),
      );
      assert.match(reasons.p, /promise/);
      assert.match(reasons.f, /function value/);
      assert.match(reasons.cyc, /cycle/);
      assert.match(reasons.big, /max_scope_value_bytes/);
      assert.deepEqual(r.scope.kept, ["ok"]);
      // A client that reads only the text learns it too.
      assert.match(r.text, /\nvariables not kept for the next execution:\n( {2}.+\n)* {2}f: .*function value/);

      const fill = await run(
        s,
        "const a1 = 'y'.repeat(3000); const a2 = 'y'.repeat(3000); const a3 = 'y'.repeat(3000); const a4 = 'y'.repeat(3000);",
      );
      assert.equal(fill.ok, true, fill.text);
      const evicted = fill.scope.dropped.map((d: { name: string; reason: string }) => `${d.name}: ${d.reason}`);
      assert.ok(
        evicted.some((line: string) => /^ok: evicted, oldest first/.test(line)),
        evicted.join("\n"),
      );
      assert.ok(!fill.scope.kept.includes("ok"));
    } finally {
      await s.close();
    }
  });

  test("a failed execution keeps what it initialized and names what it never reached", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const r = await run(s, "const before = 1;\nthrow new Error('boom');\nconst after = 2;");
      assert.equal(r.ok, false);
      assert.ok(r.scope.kept.includes("before"));
      assert.ok(
        r.scope.dropped.some(
          (d: { name: string; reason: string }) => d.name === "after" && /not initialized/.test(d.reason),
        ),
      );
      const next = await run(s, "before + 1");
      assert.equal(next.result, 2);
    } finally {
      await s.close();
    }
  });

  test("get_context shows each binding with type, size and preview; reset_context clears it", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await run(
        s,
        `const rows = [{ id: 1 }]; const when = new Date(0); function helper() {}
const tags = new Map([["k", 1n]]); const seen = new Set(); const bytes = new Uint8Array(3);`,
      );
      const view = await s.data("get_context");
      const byName = Object.fromEntries(view.bindings.map((b: { name: string }) => [b.name, b]));
      assert.equal(byName.rows.type, "Array(1)");
      assert.equal(byName.rows.preview, '[{"id":1}]');
      assert.equal(byName.when.type, "Date");
      // Values as the program sees them, not the store's tagged encoding ({"$cg":"date","v":0}).
      assert.equal(byName.when.preview, "Date(1970-01-01T00:00:00.000Z)");
      assert.equal(byName.tags.preview, 'Map(1) { "k" => 1n }');
      assert.equal(byName.seen.preview, "Set(0) {}");
      assert.equal(byName.bytes.preview, "Uint8Array (3 bytes)");
      assert.equal(byName.helper.kind, "function");
      assert.ok(byName.rows.bytes > 0);
      const reset = await s.data("reset_context");
      assert.equal(reset.cleared, 6);
      assert.equal((await run(s, "typeof rows")).result, "undefined");
    } finally {
      await s.close();
    }
  });

  test("an approved re-run starts with the scope its first run saw, not what changed since", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await run(
        s,
        `import { write_file } from "servers/workspace";\nawait write_file({ path: "/victim.txt", content: "bye" });\nlet counter = 1;`,
      );
      const first = await run(
        s,
        `import { delete_file } from "servers/workspace";\ncounter = counter + 1;\nawait delete_file({ path: "/victim.txt" });\nreturn counter;`,
      );
      assert.equal(first.status, "approval_required", first.text);
      assert.equal((await run(s, "counter = 100;")).ok, true);
      const resumed = await s.call("approve_call", { handle: first.approval.handle });
      const r = resumed.structuredContent as { ok: boolean; result: unknown };
      assert.equal(r.ok, true, JSON.stringify(resumed.content));
      assert.equal(r.result, 2);
      assert.equal((await run(s, "counter")).result, 2);
    } finally {
      await s.close();
    }
  });

  test("the type check knows carried variables and their types", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await run(s, "const ids = [1, 2, 3];\nconst when = new Date(0);\nfunction label(n) { return `#${n}`; }");
      const fine = await run(
        s,
        "const first: number = ids[0];\nconst year: number = when.getUTCFullYear();\nlabel(first) + year",
      );
      assert.equal(fine.ok, true, fine.text);
      assert.equal(fine.warnings, undefined, JSON.stringify(fine.warnings));
      const wrong = await run(s, `import { read_file } from "servers/workspace";\nawait read_file({ path: ids[0] });`);
      assert.equal(wrong.ok, false);
      assert.equal(wrong.error.kind, "type", wrong.text);
      assert.match(wrong.error.message, /'number' is not assignable to type 'string'/);
      assert.deepEqual(wrong.tool_calls, []);
    } finally {
      await s.close();
    }
  });

  test("a skill run neither sees nor changes the caller's variables", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      await run(s, "const secret = 41;");
      const saved = await s.call("save_skill", {
        name: "peek",
        description: "reads a global",
        code: "export default async function peek() { return typeof secret; }",
      });
      assert.equal(saved.isError, undefined, JSON.stringify(saved.content));
      const skill = await s.call("run_skill", { name: "peek", input: {} });
      assert.equal((skill.structuredContent as { result: unknown }).result, "undefined");
      assert.equal((await run(s, "secret + 1")).result, 42);
    } finally {
      await s.close();
    }
  });

  test("a skill import carries over to an execution whose code does not mention skills/", async () => {
    const s = await connect(gateway.mcpUrl);
    try {
      const saved = await s.call("save_skill", {
        name: "triple",
        description: "triples a number",
        code: "export default async function triple(input: { n: number }) { return input.n * 3; }",
      });
      assert.equal(saved.isError, undefined, JSON.stringify(saved.content));
      const first = await run(s, 'import { triple } from "skills/triple";\nconst seed = 2;');
      assert.equal(first.ok, true, first.text);
      const next = await run(s, "await triple({ n: seed })");
      assert.equal(next.ok, true, next.text);
      assert.equal(next.result, 6);
      assert.deepEqual(next.scope.dropped ?? [], []);
    } finally {
      await s.close();
    }
  });
});

test("carried scope survives a restart of the gateway", async () => {
  const first = await startGateway({ keepState: true });
  const s = await connect(first.mcpUrl);
  const sessionId = s.transport.sessionId!;
  const stored = await run(s, "const xs = [1, 2, 3];\nfunction double(n) { return n * 2; }");
  assert.equal(stored.ok, true, stored.text);
  await first.dispose();

  const second = await startGateway({ persistDir: first.persistDir });
  try {
    // The same MCP session on the restarted server (no new initialize).
    const client = new Client({ name: "resume", version: "0" });
    await client.connect(new StreamableHTTPClientTransport(second.mcpUrl, { sessionId }));
    const r = (await client.callTool({ name: "execute_code", arguments: { code: "xs.map(double)" } })) as any;
    assert.equal(r.isError, undefined, JSON.stringify(r.content));
    assert.deepEqual(r.structuredContent.result, [2, 4, 6]);
    await client.close();
  } finally {
    await second.dispose();
    rmSync(first.persistDir, { recursive: true, force: true });
  }
});

test("get_context reads a large carried value only as far as its head: typed and previewed without its count", async () => {
  const gw = await startGateway();
  const s = await connect(gw.mcpUrl);
  try {
    const stored = await run(s, 'const big = new Map(Array.from({ length: 20000 }, (_, i) => [i, "v" + i]));');
    assert.equal(stored.ok, true, stored.text);
    const view = await s.data("get_context");
    const big = view.bindings.find((b: { name: string }) => b.name === "big");
    assert.ok(big, JSON.stringify(view));
    // Over 64 KiB encoded: its type from the tag at the head of its text, and the preview cut from that head.
    assert.ok(big.bytes > 64 * 1024, String(big.bytes));
    assert.equal(big.type, "Map");
    assert.ok(big.preview.startsWith('{"$cg":"map","v":[[0,"v0"]'), big.preview);
    assert.ok(big.preview.endsWith("…"), big.preview);
    assert.equal((await run(s, "big.size")).result, 20000);
  } finally {
    await s.close();
    await gw.dispose();
  }
});
