/**
 * Capability probing: what agent code can reach from inside the isolate. It must find no host binding, no env, no
 * props, no secrets, no Node.js or Cloudflare module, and no way to the bridge other than the generated tool
 * functions (whose calls the host checks).
 */
import assert from "node:assert/strict";
import { all, type Execution, fails, NO_BUILTIN_MODULES, returns, type Sample } from "./sample";

const HOST_NAMES = /BRIDGE|SESSION|LOADER|WORKSPACE|CATALOG|SKILLS|GATEWAY_CONFIG|OAUTH|API_KEYS|CANARY/;

/** Every module the test gateway offers, as listed by import errors. */
const MODULE_LIST = /Modules you can import: gateway, servers\/workspace, servers\/slow/;

export const capabilitySamples: Sample[] = [
  {
    name: "no env, BRIDGE or props in scope",
    class: "capability",
    code: "return [typeof env, typeof BRIDGE, typeof props, typeof ctx, typeof SESSION, typeof LOADER];",
    expect: returns(["undefined", "undefined", "undefined", "undefined", "undefined", "undefined"]),
  },
  {
    name: "globalThis and its prototype chain hold no host binding or secret",
    class: "capability",
    code: `const keys = [];
for (let o = globalThis; o; o = Object.getPrototypeOf(o)) keys.push(...Reflect.ownKeys(o).map(String));
return keys;`,
    expect: (r: Execution) => {
      assert.equal(r.ok, true, r.text);
      assert.ok(r.result.includes("fetch") && r.result.includes("setTimeout"), "the listing is real");
      for (const key of r.result) assert.doesNotMatch(key, HOST_NAMES);
    },
  },
  {
    name: "every global's own keys are free of host names",
    class: "capability",
    code: `const found = [];
for (const key of Reflect.ownKeys(globalThis)) {
  let value;
  try { value = globalThis[key]; } catch { continue; }
  if (value && (typeof value === "object" || typeof value === "function")) {
    for (const inner of Reflect.ownKeys(value)) if (/BRIDGE|SESSION|LOADER|GATEWAY_CONFIG/.test(String(inner))) found.push(String(key) + "." + String(inner));
  }
}
return found;`,
    expect: returns([]),
  },
  {
    name: "the Cache API, storage shared beyond the execution, is absent",
    class: "capability",
    code: "return [typeof caches, 'caches' in globalThis];",
    expect: returns(["undefined", false]),
  },
  {
    name: "process.env is empty",
    class: "capability",
    code: "return Object.keys(process.env);",
    expect: returns([]),
  },
  {
    name: "process.getBuiltinModule cannot load cloudflare:workers (its env holds the bridge)",
    class: "capability",
    code: "const { env } = process.getBuiltinModule('cloudflare:workers');\nreturn Object.keys(env);",
    expect: fails("runtime", NO_BUILTIN_MODULES, 1),
  },
  {
    name: "process.getBuiltinModule cannot load node:fs",
    class: "capability",
    code: "return process.getBuiltinModule('node:fs').readdirSync('/bundle');",
    expect: fails("runtime", NO_BUILTIN_MODULES),
  },
  {
    name: "process.getBuiltinModule cannot be restored or redefined",
    class: "capability",
    code: `try { process.getBuiltinModule = () => 1; } catch (e) { return e.constructor.name; }
return "reassigned";`,
    expect: returns("TypeError"),
  },
  {
    name: "a static import of cloudflare:workers is refused before running, listing the modules",
    class: "capability",
    code: "import { env } from 'cloudflare:workers';\nreturn Object.keys(env);",
    expect: all(fails("import", /Cannot import "cloudflare:workers": no such module/, 1), (r) =>
      assert.match(r.error!.message, MODULE_LIST),
    ),
  },
  {
    name: "a static import of node:fs is refused",
    class: "capability",
    code: "import fs from 'node:fs';\nreturn fs.readdirSync('/');",
    expect: fails("import", /Cannot import "node:fs": no such module/, 1),
  },
  {
    name: "dynamic import() is refused",
    class: "capability",
    code: "const m = await import('cloudflare:workers');\nreturn Object.keys(m);",
    expect: fails("import", /Dynamic import\(\) is not supported/, 1),
  },
  {
    name: "require() is refused",
    class: "capability",
    code: "const fs = require('fs');\nreturn 1;",
    expect: fails("import", /require\(\) is not supported/, 1),
  },
  {
    name: "the sandbox's own runtime module cannot be imported",
    class: "capability",
    code: "import { call } from './runtime.js';\nreturn call('workspace', 'read_file', { path: '/x' });",
    expect: fails("import", /Cannot import "\.\/runtime\.js": no such module/),
  },
  {
    name: "a path that climbs out of servers/ is refused",
    class: "capability",
    code: "import * as r from 'servers/../runtime';\nreturn Object.keys(r);",
    expect: fails("import", /Cannot import "servers\/\.\.\/runtime"/),
  },
  {
    name: "stack frames expose neither receivers nor functions",
    class: "capability",
    code: `Error.prepareStackTrace = (e, frames) => frames.map((f) => [f.getFileName(), typeof f.getThis(), typeof f.getFunction()]);
return new Error("probe").stack;`,
    expect: returns([
      ["agent.js", "undefined", "undefined"],
      ["harness.js", "undefined", "undefined"],
    ]),
  },
  {
    name: "the program is called with no this and no arguments",
    class: "capability",
    code: "return [typeof this, arguments.length];",
    expect: returns(["undefined", 0]),
  },
  {
    name: "Function.caller is poisoned in strict code",
    class: "capability",
    code: "function f() { return f.caller; }\nreturn f();",
    expect: fails("runtime", /TypeError: 'caller', 'callee', and 'arguments' properties may not be accessed/),
  },
  {
    name: "process.exit is refused with a clear error instead of killing the request",
    class: "capability",
    code: "process.exit(0);\nreturn 'after exit';",
    expect: fails("runtime", /process\.exit is not available in the sandbox/, 1),
  },
  {
    name: "the generated tool functions reveal only their own call",
    class: "capability",
    code: "import { echo } from 'servers/slow';\nreturn echo.toString();",
    expect: returns('(args) => call("slow", "echo", args)'),
  },
];
