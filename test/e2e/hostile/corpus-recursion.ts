/**
 * Unbounded recursion in its usual disguises. A plain recursion overflows V8's stack first (a RangeError the agent
 * sees as such); recursion that catches the overflow and retries grows exponentially and must end at the step budget.
 */
import { fails, type Sample, STEP_BUDGET } from "./sample";

const STACK = /RangeError: Maximum call stack size exceeded/;

export const recursionSamples: Sample[] = [
  {
    name: "direct recursion overflows the stack with a RangeError at the agent's line",
    class: "recursion",
    code: "function f() { return f(); }\nreturn f();",
    expect: fails("runtime", STACK, 1),
  },
  {
    name: "mutual recursion overflows the stack",
    class: "recursion",
    code: "const a = () => b();\nconst b = () => a();\nreturn a();",
    expect: fails("runtime", STACK),
  },
  {
    name: "recursion that catches the overflow and recurses again ends at the step budget",
    class: "recursion",
    code: "function f() { try { f(); } catch { f(); } }\nf();",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "async recursion without stack growth ends at the step budget",
    class: "recursion",
    code: "async function f() { await null; return f(); }\nawait f();",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "a getter that reads itself overflows the stack",
    class: "recursion",
    code: "const o = { get x() { return this.x; } };\nreturn o.x;",
    expect: fails("runtime", STACK),
  },
  {
    name: "a toString that stringifies itself overflows the stack",
    class: "recursion",
    code: "const o = { toString() { return String(o); } };\nreturn String(o);",
    expect: fails("runtime", STACK),
  },
  {
    name: "a Proxy whose get trap reads the proxy overflows the stack",
    class: "recursion",
    code: "const p = new Proxy({}, { get: (t, k) => p[k] });\nreturn p.x;",
    expect: fails("runtime", STACK),
  },
  {
    name: "a toJSON that serializes itself overflows the stack",
    class: "recursion",
    code: "const o = { toJSON() { return JSON.stringify(o); } };\nreturn JSON.stringify(o);",
    expect: fails("runtime", STACK),
  },
  {
    name: "recursion through a microtask chain ends at the step budget",
    class: "recursion",
    code: "await new Promise(() => { const f = () => Promise.resolve().then(f); f(); });",
    expect: fails("step_budget", STEP_BUDGET),
  },
  {
    name: "a thenable that resolves to itself ends at the step budget",
    class: "recursion",
    code: "const t = { then(resolve) { resolve(t); } };\nawait t;",
    expect: fails("step_budget", STEP_BUDGET),
  },
];
