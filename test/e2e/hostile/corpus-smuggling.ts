/**
 * Prototype and argument smuggling: values that JSON cannot carry faithfully, keys that would pollute prototypes on
 * the host, polluted built-ins, and arguments that break the tool's schema. The sandbox refuses what it can (never
 * sent); the host parses, re-checks and validates every call whatever the sandbox did (status `rejected`).
 */
import { all, fails, returns, type Sample } from "./sample";

const ECHO_NEVER_SENT = { calls: [], upstreamCalls: 0 };

export const smugglingSamples: Sample[] = [
  {
    name: "a polluted Object.prototype does not leak into the arguments sent",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nObject.prototype.polluted = 'yes';\nreturn await echo({ value: { a: 1 } });",
    expect: returns({ value: { a: 1 } }),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
  {
    name: "an own __proto__ key (from JSON.parse) is rejected by the host",
    class: "smuggling",
    code: `import { echo } from 'servers/slow';
return await echo({ value: JSON.parse('{"__proto__": {"isAdmin": true}}') });`,
    expect: fails("runtime", /ToolError: slow\.echo: invalid arguments: the key __proto__ is not allowed/),
    calls: ["slow.echo:rejected"],
    upstreamCalls: 0,
  },
  {
    name: "constructor.prototype keys are plain data and arrive as such",
    class: "smuggling",
    code: `import { echo } from 'servers/slow';
const r = await echo({ value: { constructor: { prototype: { isAdmin: true } } } });
return [r, typeof ({}).isAdmin];`,
    expect: returns([{ value: { constructor: { prototype: { isAdmin: true } } } }, "undefined"]),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
  {
    name: "a function argument is refused in the sandbox with its path",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: { fn: () => 1 } });",
    expect: fails("runtime", /TypeError: \/value\/fn: functions cannot be passed to tools/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "a BigInt argument is refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: 10n });",
    expect: fails("runtime", /\/value: BigInt is not JSON; pass it as a string or number/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "a Map argument is refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: new Map([[1, 2]]) });",
    expect: fails("runtime", /\/value: Map is not plain JSON/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "a Date argument is refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: new Date(0) });",
    expect: fails("runtime", /\/value: Date is not plain JSON/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "a symbol argument is refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: Symbol('s') });",
    expect: fails("runtime", /\/value: symbols cannot be passed to tools/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "NaN and Infinity are refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: [1, NaN] });",
    expect: fails("runtime", /\/value\/1: NaN is not a JSON number/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "a cyclic argument is refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nconst a = { name: 'a' };\na.self = a;\nreturn await echo({ value: a });",
    expect: fails("runtime", /\/value\/self: cyclic structure/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "arguments that are not one object are refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo([1, 2]);",
    expect: fails("runtime", /slow\.echo: pass the arguments as one object/),
    ...ECHO_NEVER_SENT,
  },
  {
    name: "a getter that would swap in a cycle after the check is read once: what was checked is sent",
    class: "smuggling",
    code: `import { echo } from 'servers/slow';
let reads = 0;
const cyclic = {}; cyclic.self = cyclic;
const r = await echo({ get value() { return reads++ === 0 ? 1 : cyclic; } });
return [r, reads];`,
    expect: returns([{ value: 1 }, 1]),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
  {
    name: "a Proxy posing as a plain object sends only the data it reports",
    class: "smuggling",
    code: `import { echo } from 'servers/slow';
const p = new Proxy({}, {
  ownKeys: () => ["a"],
  getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }),
  get: (t, k) => (k === "a" ? 1 : undefined),
});
return await echo({ value: p });`,
    expect: returns({ value: { a: 1 } }),
    calls: ["slow.echo:ok"],
    upstreamCalls: 1,
  },
  {
    name: "a string argument where the schema wants a number is rejected with its path",
    class: "smuggling",
    code: "import { typed } from 'servers/slow';\nreturn await typed({ name: 5 });",
    expect: fails("runtime", /slow\.typed: invalid arguments: \/name: expected string, got number/),
    calls: ["slow.typed:rejected"],
    upstreamCalls: 0,
  },
  {
    name: "a nested type mismatch names the nested path",
    class: "smuggling",
    code: "import { typed } from 'servers/slow';\nreturn await typed({ name: 'a', nested: { flag: 'yes' } });",
    expect: fails("runtime", /\/nested\/flag: expected boolean, got string/),
    calls: ["slow.typed:rejected"],
    upstreamCalls: 0,
  },
  {
    name: "a missing required property is named",
    class: "smuggling",
    code: "import { typed } from 'servers/slow';\nreturn await typed({ count: 1 });",
    expect: fails("runtime", /\/name: required property is missing/),
    calls: ["slow.typed:rejected"],
    upstreamCalls: 0,
  },
  {
    name: "an extra property is rejected when the schema forbids it",
    class: "smuggling",
    code: "import { typed } from 'servers/slow';\nreturn await typed({ name: 'a', isAdmin: true });",
    expect: fails("runtime", /slow\.typed: invalid arguments:.*isAdmin/),
    calls: ["slow.typed:rejected"],
    upstreamCalls: 0,
  },
  {
    name: "a toJSON on Object.prototype cannot rewrite the arguments sent",
    class: "smuggling",
    code: `import { typed } from 'servers/slow';
Object.prototype.toJSON = function () { return { name: 5 }; };
return await typed({ name: "fine" });`,
    expect: returns({ name: "fine" }),
    calls: ["slow.typed:ok"],
    upstreamCalls: 1,
  },
  {
    name: "a replaced JSON.stringify cannot forge the bytes the runtime sends",
    class: "smuggling",
    code: `import { typed } from 'servers/slow';
JSON.stringify = () => '{"__proto__": {"isAdmin": true}}';
return await typed({ name: "fine" });`,
    expect: returns({ name: "fine" }),
    calls: ["slow.typed:ok"],
    upstreamCalls: 1,
  },
  {
    name: "arguments over 1 MB are rejected by the host",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: 'x'.repeat(1_100_000) });",
    expect: fails("runtime", /slow\.echo: arguments are \d+ bytes; the limit is 1048576/),
    calls: ["slow.echo:rejected"],
    upstreamCalls: 0,
  },
  {
    name: "a thenable argument with a then() method is refused",
    class: "smuggling",
    code: "import { echo } from 'servers/slow';\nreturn await echo({ value: { then(resolve) { resolve(1); } } });",
    expect: all(fails("runtime", /\/value\/then: functions cannot be passed to tools/)),
    ...ECHO_NEVER_SENT,
  },
];
