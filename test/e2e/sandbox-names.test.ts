/**
 * The sandbox's modules ship minified (scripts/build-sandbox.mjs), and a minifier drops or mangles the names of
 * function expressions and declarations. The functions the sandbox puts in place of built-ins, and the `gateway`
 * module's, are the agent's to inspect: they keep the names of what they stand for, whatever the build does.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { run, type Session, withGatewaySession } from "../support/gateway";

describe("names of the sandbox's functions", () => {
  let session: Session;
  withGatewaySession((_, s) => {
    session = s;
  });

  test("the network stand-ins and URLPattern's refusal are named fetch, connect and URLPattern", async () => {
    const r = await run(
      session,
      "const g = globalThis as any;\nreturn [g.fetch.name, g.connect.name, g.URLPattern.name];",
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, ["fetch", "connect", "URLPattern"]);
  });

  test("the regex guard's RegExp methods carry the built-ins' names", async () => {
    const r = await run(
      session,
      "const p: any = RegExp.prototype;\n" +
        "return [p.exec.name, p.test.name, p.compile.name, Object.getOwnPropertyDescriptor(p, 'source')!.get!.name];",
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, ["exec", "test", "compile", "get source"]);
  });

  test("the small regex guard's refusals are named as the built-ins they replace", async () => {
    const r = await run(
      session,
      "const R = (globalThis as any)['Reg' + 'Exp'];\nconst m = 'ma' + 'tch';\n" +
        "return [R.name, (String.prototype as any)[m].name];",
    );
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, ["RegExp", "match"]);
  });

  test("the gateway module's progress is named progress", async () => {
    const r = await run(session, 'import { progress } from "gateway";\nreturn progress.name;');
    assert.equal(r.ok, true, r.text);
    assert.equal(r.result, "progress");
  });
});
