/**
 * Name tricks: tools whose names are JavaScript's own (`then`, `constructor`, `__proto__`), misspellings, the
 * gateway's reserved prefix, and imports that try to reach modules outside the catalog.
 */
import assert from "node:assert/strict";
import { type Execution, fails, returns, type Sample } from "./sample";

export const nameSamples: Sample[] = [
  {
    name: "a tool named then is exported as then_ and runs",
    class: "names",
    code: "import { then_ } from 'servers/slow';\nreturn await then_();",
    expect: returns("then tool ran"),
    calls: ["slow.then:ok"],
    upstreamCalls: 1,
  },
  {
    name: "a tool named constructor is exported as constructor_ and runs",
    class: "names",
    code: "import { constructor_ } from 'servers/slow';\nreturn await constructor_();",
    expect: returns("constructor tool ran"),
    calls: ["slow.constructor:ok"],
    upstreamCalls: 1,
  },
  {
    name: "a tool named __proto__ is exported as __proto___ and runs",
    class: "names",
    code: "import { __proto___ } from 'servers/slow';\nreturn await __proto___();",
    expect: returns("__proto__ tool ran"),
    calls: ["slow.__proto__:ok"],
    upstreamCalls: 1,
  },
  {
    name: "the server namespace is not a thenable",
    class: "names",
    code: "import * as slow from 'servers/slow';\nconst awaited = await slow;\nreturn [typeof slow.then, awaited === slow];",
    expect: returns(["undefined", true]),
  },
  {
    name: "the server namespace lists exactly the tools",
    class: "names",
    code: "import * as slow from 'servers/slow';\nreturn Object.keys(slow);",
    expect: returns([
      "__proto___",
      "big",
      "big_json",
      "constructor_",
      "count",
      "echo",
      "fail",
      "reset",
      "rpc_error",
      "sleep",
      "then_",
      "typed",
    ]),
  },
  {
    name: "a misspelled tool gets a did-you-mean and the exports",
    class: "names",
    code: "import { ecko } from 'servers/slow';\nreturn await ecko({});",
    expect: (r: Execution) => {
      fails("import", /"servers\/slow" has no export "ecko"/, 1)(r);
      assert.match(r.error!.message, /did you mean "echo"/i);
    },
  },
  {
    name: "a misspelled server gets a did-you-mean and the list of modules",
    class: "names",
    code: "import { echo } from 'servers/slo';\nreturn await echo({});",
    expect: (r: Execution) => {
      fails("import", /Cannot import "servers\/slo"/, 1)(r);
      assert.match(r.error!.message, /did you mean "servers\/slow"/i);
    },
  },
  {
    name: "the reserved __cg prefix cannot be declared",
    class: "names",
    code: "const __cg_step_0 = () => {};\nreturn 1;",
    expect: fails("reserved", /Identifiers starting with "__cg" are reserved for the gateway/, 1),
  },
  {
    name: "the reserved prefix cannot hide behind a unicode escape",
    class: "names",
    code: "const \\u005f_cg_main = 1;\nreturn 1;",
    expect: fails("reserved", /reserved for the gateway; rename "__cg_main"/, 1),
  },
  {
    name: "the reserved prefix cannot be an import alias",
    class: "names",
    code: "import { echo as __cg_echo } from 'servers/slow';\nreturn 1;",
    expect: fails("reserved", /reserved for the gateway; rename "__cg_echo"/, 1),
  },
  {
    name: "the binding module's own call is not an export",
    class: "names",
    code: "import { call } from 'servers/slow';\nreturn call('slow', 'echo', {});",
    expect: fails("import", /"servers\/slow" has no export "call"/, 1),
  },
  {
    name: "a default import of a server is refused",
    class: "names",
    code: "import slow from 'servers/slow';\nreturn slow;",
    expect: fails("import", /servers\/slow/, 1),
  },
  {
    name: "an unknown export of gateway is refused",
    class: "names",
    code: "import { bridge } from 'gateway';\nreturn bridge;",
    expect: fails("import", /"gateway" has no export "bridge"/, 1),
  },
];
