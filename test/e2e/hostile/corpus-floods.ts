/**
 * Output and log floods: results, logs and tool results are cut at their caps (set by hostile.test.ts) with a
 * visible marker naming the limit, never passed on whole and never failing the execution where cutting is safe.
 */
import assert from "node:assert/strict";
import { type Execution, returns, type Sample } from "./sample";

/** The caps hostile.test.ts configures. */
export const FLOOD_LIMITS = {
  max_result_bytes: 100_000,
  max_log_bytes: 20_000,
  max_log_lines: 200,
  max_tool_result_bytes: 50_000,
};

const resultTruncated = (r: Execution) => {
  assert.equal(r.ok, true, r.text);
  assert.equal(typeof r.result, "string");
  assert.ok(r.result.length < FLOOD_LIMITS.max_result_bytes + 200, `result is ${r.result.length} characters`);
  assert.match(r.result, /…\[truncated: the result was \d+ bytes; max_result_bytes is 100000\./);
};

const logsTruncated = (r: Execution) => {
  assert.equal(r.ok, true, r.text);
  const last = r.logs.at(-1)!;
  assert.match(last, /logs truncated: limit 200 lines \/ 20000 bytes \(max_log_lines \/ max_log_bytes\)/);
  assert.ok(r.logs.length <= FLOOD_LIMITS.max_log_lines + 1, `${r.logs.length} log lines`);
  const bytes = r.logs.slice(0, -1).reduce((n, line) => n + line.length, 0);
  assert.ok(bytes <= FLOOD_LIMITS.max_log_bytes, `${bytes} bytes of logs`);
};

export const floodSamples: Sample[] = [
  {
    name: "a 20 MB string result is cut at max_result_bytes with a marker",
    class: "flood",
    code: "return 'x'.repeat(20_000_000);",
    expect: resultTruncated,
  },
  {
    name: "a 2 MB structured result is cut at max_result_bytes with a marker",
    class: "flood",
    code: "return Array.from({ length: 20_000 }, (_, i) => ({ i, pad: 'y'.repeat(90) }));",
    expect: resultTruncated,
  },
  {
    name: "a million console.log lines stop at max_log_lines with a marker",
    class: "flood",
    code: "for (let i = 0; i < 1_000_000; i++) console.log('line', i);\nreturn 'done';",
    expect: (r) => {
      logsTruncated(r);
      assert.equal(r.result, "done");
      assert.equal(r.logs.length, FLOOD_LIMITS.max_log_lines + 1);
      assert.equal(r.logs[0], "line 0");
    },
  },
  {
    name: "one 10 MB log line stops at max_log_bytes with a marker",
    class: "flood",
    code: "console.log('z'.repeat(10_000_000));\nreturn 'done';",
    expect: (r) => {
      logsTruncated(r);
      assert.deepEqual(r.logs.length, 1);
    },
  },
  {
    name: "console.error and console.warn floods share the same caps",
    class: "flood",
    code: "for (let i = 0; i < 10_000; i++) { console.error('e'.repeat(100)); console.warn('w'); }\nreturn 'done';",
    expect: logsTruncated,
  },
  {
    name: "logging a cyclic object prints [Circular]",
    class: "flood",
    code: "const a = { n: 1 };\na.self = a;\nconsole.log(a);\nreturn 'done';",
    expect: (r) => {
      returns("done")(r);
      assert.deepEqual(r.logs, ['{"n":1,"self":"[Circular]"}']);
    },
  },
  {
    name: "logging an object whose getter throws does not fail the program",
    class: "flood",
    code: "console.log({ get boom() { throw new Error('no'); } });\nreturn 'done';",
    expect: (r) => {
      returns("done")(r);
      assert.deepEqual(r.logs, ["[object Object]"]);
    },
  },
  {
    name: "ten 1 MB tool results each arrive cut at max_tool_result_bytes with a marker",
    class: "flood",
    code: `import { big } from 'servers/slow';
const out = [];
for (let i = 0; i < 10; i++) out.push(await big({ bytes: 1_000_000 }));
return out.map((s) => [s.length, s.slice(-70)]);`,
    expect: (r) => {
      assert.equal(r.ok, true, r.text);
      assert.equal(r.result.length, 10);
      for (const [length, tail] of r.result) {
        assert.ok(length < FLOOD_LIMITS.max_tool_result_bytes + 100, `${length}`);
        assert.match(tail, /…\[truncated: 1000000 characters; max_tool_result_bytes is 50000\]$/);
      }
    },
    calls: Array(10).fill("slow.big:ok"),
    upstreamCalls: 10,
  },
  {
    name: "a structured tool result over max_tool_result_bytes is a tool error naming the cap",
    class: "flood",
    code: "import { big_json } from 'servers/slow';\ntry { await big_json({ items: 2_000 }); } catch (e) { return e.message; }",
    expect: (r) => {
      assert.equal(r.ok, true, r.text);
      assert.match(r.result, /slow\.big_json returned \d+ bytes, over max_tool_result_bytes \(50000\); ask for less/);
    },
    calls: ["slow.big_json:error"],
    upstreamCalls: 1,
  },
  {
    name: "a returned BigInt, Map, Set, Date, NaN, function and symbol become readable stand-ins",
    class: "flood",
    code: "return [10n, new Map([['k', 1]]), new Set([1]), new Date(0), NaN, function f() {}, Symbol('s'), undefined];",
    expect: returns(["10n", { k: 1 }, [1], "1970-01-01T00:00:00.000Z", "NaN", "[Function f]", "Symbol(s)", null]),
  },
  {
    name: "a returned object whose keys cannot be listed is a runtime error",
    class: "flood",
    code: "return new Proxy({}, { ownKeys() { throw new Error('no keys for you'); } });",
    expect: (r) => {
      assert.equal(r.isError, true, r.text);
      assert.equal(r.error?.kind, "runtime");
      assert.match(r.error!.message, /no keys for you/);
    },
  },
  {
    name: "a replaced JSON.stringify cannot corrupt the result the host receives",
    class: "flood",
    code: "JSON.stringify = () => 5;\nreturn { a: 1 };",
    expect: returns({ a: 1 }),
  },
];
