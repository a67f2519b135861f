/**
 * Deep and huge structures: 100,000-deep values returned, sent, parsed and thrown. Neither the sandbox nor the host
 * may overflow its stack; every case ends with a clean value or a clean error.
 */
import assert from "node:assert/strict";
import { type Execution, fails, returns, type Sample } from "./sample";

/** Code that builds a 100,000-deep nested array in `deep` (a loop: building it must not recurse). */
const DEEP = "let deep = [];\nfor (let i = 0; i < 100_000; i++) deep = [deep];";

/** Depth of nested single-element arrays, ending at a non-array. */
function depth(value: unknown): { levels: number; leaf: unknown } {
  let levels = 0;
  let v = value;
  while (Array.isArray(v)) {
    levels++;
    v = v[0];
  }
  return { levels, leaf: v };
}

export const deepSamples: Sample[] = [
  {
    name: "a 100,000-deep result is cut at 200 levels with a marker",
    class: "deep",
    code: `${DEEP}\nreturn deep;`,
    expect: (r: Execution) => {
      assert.equal(r.ok, true, r.text);
      assert.deepEqual(depth(r.result), { levels: 201, leaf: "[Nested too deep]" });
    },
  },
  {
    name: "a cyclic result comes back with [Circular]",
    class: "deep",
    code: "const a = { name: 'a', list: [] };\na.list.push(a);\nreturn a;",
    expect: returns({ name: "a", list: ["[Circular]"] }),
  },
  {
    name: "a 100,000-deep tool argument is refused in the sandbox",
    class: "deep",
    code: `import { echo } from 'servers/slow';\n${DEEP}\nreturn await echo({ value: deep });`,
    expect: fails("runtime", /nested deeper than 200 levels/),
    calls: [],
    upstreamCalls: 0,
  },
  {
    name: "a 150-deep tool argument round-trips",
    class: "deep",
    code: `import { echo } from 'servers/slow';
let v = 'leaf';
for (let i = 0; i < 150; i++) v = [v];
const back = await echo({ value: v });
let n = 0, x = back.value;
while (Array.isArray(x)) { n++; x = x[0]; }
return [n, x];`,
    expect: returns([150, "leaf"]),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
  {
    name: "JSON.parse of 100,000-deep text works and the result is still capped",
    class: "deep",
    code: "const v = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));\nreturn v;",
    expect: (r: Execution) => {
      assert.equal(r.ok, true, r.text);
      assert.deepEqual(depth(r.result), { levels: 201, leaf: "[Nested too deep]" });
    },
  },
  {
    name: "JSON.stringify of a 100,000-deep value works without overflowing",
    class: "deep",
    code: `${DEEP}\nreturn JSON.stringify(deep).length;`,
    expect: returns(200_002),
  },
  {
    name: "structuredClone of a 100,000-deep value throws a RangeError the code can catch",
    class: "deep",
    code: `${DEEP}\ntry { structuredClone(deep); return 'cloned'; } catch (e) { return e.name + ': ' + e.message; }`,
    expect: returns("RangeError: Maximum call stack size exceeded"),
  },
  {
    name: "a 10 MB error message is cut to a readable size",
    class: "deep",
    code: "throw new Error('x'.repeat(10_000_000));",
    expect: (r: Execution) => {
      fails("runtime", /^Error: x+…\[10000000 characters\]/)(r);
      assert.ok(r.error!.message.length < 5_000, `${r.error!.message.length}`);
    },
  },
  {
    name: "an error whose message getter throws is still reported, at the line where it was made",
    class: "deep",
    code: "const e = new Error('hi');\nObject.defineProperty(e, 'message', { get() { throw new Error('no'); } });\nthrow e;",
    expect: fails("runtime", /^Error: \(the error's message could not be read\)/, 1),
  },
  {
    name: "throwing a non-Error value is reported as such",
    class: "deep",
    code: "throw { toString() { return 'a plain object'; } };",
    expect: fails(
      "runtime",
      /^Error: the code threw a non-Error value: \{"toString":"\[Function toString\]"\}; throw new Error/,
    ),
  },
  {
    name: "throwing null is reported as a non-Error value",
    class: "deep",
    code: "throw null;",
    expect: fails("runtime", /the code threw a non-Error value: null/),
  },
  {
    name: "a wide object of 100,000 keys is cut at max_result_bytes",
    class: "deep",
    code: "const o = {};\nfor (let i = 0; i < 100_000; i++) o['k' + i] = i;\nreturn o;",
    expect: (r: Execution) => {
      assert.equal(r.ok, true, r.text);
      assert.match(r.result, /…\[truncated: the result was \d+ bytes; max_result_bytes is 100000/);
    },
  },
];
