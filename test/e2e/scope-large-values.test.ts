/**
 * Carried scope (src/scope/) with top-level values far over max_scope_value_bytes, through the real gateway: the
 * sandbox refuses such a value before encoding all of it (worker-loader/scope.js, scope-codec.js), so the program's
 * result still comes back, the value is listed as dropped with the limit, and run()'s reply stays under workerd's
 * 32 MiB RPC limit. Default limits (max_scope_value_bytes 1 MiB).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, type Gateway, run, type Session, startGateway } from "../support/gateway";

describe("carried scope: values too large to carry", () => {
  let gateway: Gateway;
  let s: Session;
  before(async () => {
    gateway = await startGateway({ config: { servers: [{ name: "workspace", url: "builtin:workspace" }] } });
    s = await connect(gateway.mcpUrl);
  });
  after(async () => {
    await s?.close();
    await gateway?.dispose();
  });

  /** Runs `code`, expects `result`, `name` dropped for max_scope_value_bytes, and the next execution without it. */
  const dropsForSize = async (code: string, name: string, result: unknown) => {
    const r = await run(s, code);
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, result);
    assert.ok(!r.scope.kept.includes(name), JSON.stringify(r.scope));
    const dropped = r.scope.dropped.find((d: { name: string }) => d.name === name);
    assert.match(dropped?.reason ?? "", /max_scope_value_bytes/, JSON.stringify(r.scope));
    const next = await run(s, `typeof ${name}`);
    assert.equal(next.ok, true, next.text);
    assert.equal(next.result, "undefined");
  };

  test("a 40 MB string is dropped and the program's result comes back", async () => {
    await dropsForSize('const s = "x".repeat(4e7);\ns.length', "s", 40_000_000);
  });

  test("a 200 MB Uint8Array is dropped and the program's result comes back", async () => {
    await dropsForSize("const b = new Uint8Array(2e8);\nb[7] = 1;\nb.length", "b", 200_000_000);
  });

  test("a 40 MB array of objects is dropped and the program's result comes back", async () => {
    await dropsForSize(
      'const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, text: "y".repeat(4_000) + i }));\nrows.length',
      "rows",
      10_000,
    );
  });

  test("values each under the cap but together over what one reply can carry: the result comes back, the excess is dropped and named", async () => {
    // 40 values of 1,000,000 characters: each under max_scope_value_bytes (1 MiB), 40 MB together.
    const names = Array.from({ length: 40 }, (_, i) => `v${i}`);
    const code = `${names.map((n, i) => `const ${n} = "${String.fromCharCode(97 + (i % 26))}".repeat(1e6);`).join("\n")}\n${names.join(" + ").length}`;
    const r = await run(s, code);
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, names.join(" + ").length);
    assert.ok(r.scope.dropped.length > 0, JSON.stringify(r.scope));
    // Over what one execution hands back, or evicted from the session's max_scope_bytes (16 MiB) once stored.
    for (const d of r.scope.dropped) assert.match(d.reason, /one execution can hand back|max_scope_bytes/, d.reason);
    assert.ok(
      r.scope.dropped.some((d: { reason: string }) => /one execution can hand back/.test(d.reason)),
      JSON.stringify(r.scope),
    );
    const next = await run(s, "1 + 1");
    assert.equal(next.ok, true, next.text);
  });

  test("a small value of the same session is still carried after the large ones", async () => {
    const r = await run(s, 'const t = "x".repeat(2e6);\nconst small = [1, 2];\nt.length');
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, 2_000_000);
    assert.match(r.scope.dropped.find((d: { name: string }) => d.name === "t")?.reason ?? "", /max_scope_value_bytes/);
    const next = await run(s, "small");
    assert.deepEqual(next.result, [1, 2]);
  });

  test("a result over 32 MiB comes back cut to max_result_bytes with its length, and the variables live on", async () => {
    const r = await run(s, 'const keep = [3];\nreturn "z".repeat(4e7);');
    assert.equal(r.ok, true, r.text);
    assert.match(String(r.result), /^z+…\[truncated: the result was 40000002 bytes; max_result_bytes is \d+/);
    const next = await run(s, "keep");
    assert.deepEqual(next.result, [3]);
  });
});
