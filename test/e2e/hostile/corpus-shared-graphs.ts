/**
 * Shared-reference graphs: `n = {a: n, b: n}` repeated is a few dozen objects but 2^k values once serialized. Every
 * walk the runtime does over the agent's values (the plain-data check of tool arguments and state, the JSON
 * conversion of logs and results, the agent's own JSON.stringify) visits each object once and charges or caps the
 * serialized size, so none of them runs exponentially long.
 */
import assert from "node:assert/strict";
import { type Execution, fails, returns, type Sample, STEP_BUDGET } from "./sample";

/** Builds `n`, 25 objects that serialize to 2^24 leaves. */
const GRAPH = "let n = { v: 1 };\nfor (let i = 0; i < 24; i++) n = { a: n, b: n };";
const TOO_BIG =
  /serialized, this value holds more than 1000000 values or 16777216 characters \(an object referenced in several places is copied at each\)/;

const endsQuickly = (r: Execution) => assert.ok(r.duration_ms < 2_000, `took ${r.duration_ms} ms`);

export const sharedGraphSamples: Sample[] = [
  {
    name: "a 2^24-value shared graph as a tool argument is refused in the sandbox",
    class: "shared",
    code: `import { echo } from 'servers/slow';\n${GRAPH}\nreturn await echo({ value: n });`,
    expect: (r) => {
      fails("runtime", TOO_BIG)(r);
      endsQuickly(r);
    },
    calls: [],
    upstreamCalls: 0,
  },
  {
    name: "a 2^24-value shared graph given to state.set is refused in the sandbox",
    class: "shared",
    code: `import { state } from 'gateway';\n${GRAPH}\nawait state.set('graph', n);\nreturn 'stored';`,
    expect: (r) => {
      fails("runtime", TOO_BIG)(r);
      endsQuickly(r);
    },
  },
  {
    name: "a shared graph nested in an array argument is refused with its path",
    class: "shared",
    code: `import { echo } from 'servers/slow';\n${GRAPH}\nreturn await echo({ value: [1, { deep: n }] });`,
    expect: fails(
      "runtime",
      /^TypeError: \/value\/1\/deep(?:\/[ab])*: serialized, this value holds more than 1000000 values/,
    ),
    calls: [],
    upstreamCalls: 0,
  },
  {
    name: "a 2^24-value shared graph logged with console.log is cut, not expanded",
    class: "shared",
    code: `${GRAPH}\nconsole.log(n);\nconsole.log('after');\nreturn 'logged';`,
    expect: (r) => {
      returns("logged")(r);
      endsQuickly(r);
    },
  },
  {
    name: "a 2^24-value shared graph returned is cut at the result cap",
    class: "shared",
    code: `${GRAPH}\nreturn n;`,
    expect: (r) => {
      assert.equal(r.ok, true, r.text);
      assert.match(r.result, /…\[truncated: the result was \d+ bytes; max_result_bytes is 100000\./);
      endsQuickly(r);
    },
  },
  {
    name: "JSON.stringify of a 2^60-value shared graph ends at the step budget",
    class: "shared",
    code: "let n = { v: 1 };\nfor (let i = 0; i < 60; i++) n = { a: n, b: n };\nreturn JSON.stringify(n).length;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "JSON.stringify of a shared array graph ends at the step budget",
    class: "shared",
    code: "let n = [1];\nfor (let i = 0; i < 60; i++) n = [n, n, n];\nreturn JSON.stringify(n).length;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "joining a 2^40-value shared nested array ends at the step budget",
    class: "shared",
    code: "let a = [1];\nfor (let i = 0; i < 40; i++) a = [a, a];\nreturn a.join(',').length;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "a shared nested array in a template literal ends at the step budget",
    class: "shared",
    code: "let a = ['x'];\nfor (let i = 0; i < 40; i++) a = [a, a];\nreturn `${a}`.length;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "toLocaleString of a shared nested array ends at the step budget",
    class: "shared",
    code: "let a = [1];\nfor (let i = 0; i < 40; i++) a = [a, a];\nreturn a.toLocaleString().length;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "flat(Infinity) of a 2^40-value shared nested array ends at the step budget",
    class: "shared",
    code: "let a = [1];\nfor (let i = 0; i < 40; i++) a = [a, a];\nreturn a.flat(Infinity).length;",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "flat of nested arrays that share nothing works as before",
    class: "shared",
    code: "return [[1, [2, [3]]], [4]].flat(Infinity).concat([[5, [6]]].flat(), [[7, [8]]].flat({ valueOf: () => 2 }));",
    expect: returns([1, 2, 3, 4, 5, [6], 7, 8]),
  },
  {
    name: "joining nested arrays that share nothing works as before",
    class: "shared",
    code: "return [[1, 2], [3, [4, 5]], 'x'].join(';') + ' ' + String([[1], [2]]);",
    expect: returns("1,2;3,4,5;x 1,2"),
  },
  {
    name: "a small object shared in the arguments is copied at each place, as JSON does",
    class: "shared",
    code: "import { echo } from 'servers/slow';\nconst k = { k: 1 };\nreturn await echo({ value: { a: k, b: [k, k] } });",
    expect: returns({ value: { a: { k: 1 }, b: [{ k: 1 }, { k: 1 }] } }),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
  {
    name: "a shared graph whose getter grows it after the check cannot change what is sent",
    class: "shared",
    code: `import { echo } from 'servers/slow';
${GRAPH}
let reads = 0;
const arg = { get value() { reads++; return reads === 1 ? 'small' : n; } };
const r = await echo(arg);
return [r, reads];`,
    expect: returns([{ value: "small" }, 1]),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
];
