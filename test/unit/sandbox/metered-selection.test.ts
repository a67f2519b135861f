/**
 * Which metered built-ins a program's isolate installs (src/sandbox/metered-selection.ts): the names it spells, or
 * every wrapper when it reads a property by a computed name or through reflection. The sandbox side, where a program
 * tries each way around the selection, is in test/e2e/hostile/corpus-cpu.ts and test/e2e/sandbox-modules.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { meteredNames } from "../../../.sandbox-build/sandbox-modules.js";
import { mergeSelections, meteredOption, needsMoreMetered } from "../../../src/sandbox/metered-selection";
import { prepareCode } from "../../../src/sandbox/prepare";
import { GUARD, MODULES } from "./prepare-fixtures";

function selected(code: string): string[] | undefined {
  const result = prepareCode({ code, modules: MODULES, guardName: GUARD });
  assert.ok(result.ok, JSON.stringify(result));
  return meteredOption(result.metered);
}

describe("the metered built-ins a program's isolate installs", () => {
  it("are none beyond the sandbox's own three when the program names no method", () => {
    for (const code of [
      "return 1;",
      "let s = 0;\nfor (let i = 0; i < 10; i++) s += i;\nreturn s;",
      "const o = { a: 1, b: [1, 2] };\nreturn o.b.length + o.a;",
      "// includes, indexOf and JSON.stringify in a comment are not code\nreturn 2;",
      'import { read_file } from "servers/workspace";\nreturn await read_file({ path: "a" });',
      "return arr[0] ?? obj['a'] ?? obj[`b`];",
    ]) {
      assert.deepEqual(selected(code), [], code);
    }
  });

  it("are the methods the program spells: names, properties, strings, templates and escapes", () => {
    assert.deepEqual(selected("return [3, 1].toSorted().map((x) => x * 2);"), ["map", "toSorted"]);
    assert.deepEqual(selected("return 'a'['padStart'](3) + 'b'[`repeat`](2);"), ["padStart", "repeat"]);
    assert.deepEqual(selected("const { includes } = String.prototype;\nreturn includes.call('ab', 'b');"), [
      "includes",
    ]);
    assert.deepEqual(selected("return [1].index\\u004Ff(1);"), ["indexOf"]);
    assert.deepEqual(selected("const name = 'stringify';\nreturn typeof name;"), ["stringify"]);
    assert.deepEqual(selected("return Object.keys({ a: 1 });"), ["keys"]);
  });

  it("are all of them when the program reads a property by a computed name", () => {
    for (const code of [
      "const k = 'index' + 'Of';\nreturn [1][k](1);",
      "return rows[i];",
      "const k = 'x';\nconst { [k]: f } = Array.prototype;\nreturn f;",
      "const k = 'x';\nreturn Array.prototype?.[k];",
      "const k = 'x';\nreturn [][`${k}`];",
      "class A extends Array { f(k) { return super[k]; } }\nreturn new A().f('x');",
    ]) {
      assert.equal(selected(code), undefined, code);
    }
  });

  it("are all of them when the program names reflection, or a Proxy whose traps get computed names", () => {
    for (const code of [
      "return Reflect.get(Array.prototype, 'x');",
      "return Object.getOwnPropertyDescriptor(Array.prototype, 'x');",
      "return Object.getOwnPropertyDescriptors(Array.prototype);",
      "return Object.getOwnPropertyNames(Array.prototype);",
      "Object.defineProperty(Array.prototype, 'x', { enumerable: true });\nreturn Object.values(Array.prototype);",
      "return Object['defineProperties'];",
      "return new Proxy({}, {});",
      "return ({}).__lookupGetter__('x');",
      "Error.prepareStackTrace = (e, sites) => sites;\nreturn new Error().stack;",
    ]) {
      assert.equal(selected(code), undefined, code);
    }
  });

  it("a computed key that only defines a property does not count; one that reads does", () => {
    assert.deepEqual(selected("const k = 'a';\nreturn { [k]: 1 };"), []);
    assert.equal(selected("const k = 'a';\nconst o = {};\no[k] = 1;\nreturn o;"), undefined);
  });

  it("are exactly what the sandbox installs: every method it wraps can be selected, and a selection wraps no more", () => {
    // The sandbox side (worker-loader/metered-builtins.js meterBuiltins), run in a child Node process since it rewrites
    // the built-ins of the process it runs in; Object.defineProperties is watched before the module binds it.
    const guards = new URL("../../../worker-loader/metered-builtins.js", import.meta.url).href;
    const installed = (names: string[] | undefined): string[] => {
      const script = `const wrapped = new Set();
const define = Object.defineProperties;
Object.defineProperties = (target, descriptors) => {
  for (const name of Object.keys(descriptors)) wrapped.add(name);
  return define(target, descriptors);
};
const { meterBuiltins } = await import(${JSON.stringify(guards)});
meterBuiltins(() => {}, ${JSON.stringify(names ?? null)});
console.log(JSON.stringify([...wrapped].sort()));`;
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      return JSON.parse(out);
    };
    assert.deepEqual(installed(undefined), [...meteredNames].sort());
    assert.deepEqual(installed(["map", "repeat", "notAMethod"]), [
      "join",
      "map",
      "repeat",
      "toLocaleString",
      "toString",
    ]);
    assert.deepEqual(installed([]), ["join", "toLocaleString", "toString"]);
  });

  it("ship metered-more.js exactly when the code can reach a method beyond the three every program gets", () => {
    assert.equal(needsMoreMetered(new Set()), false);
    assert.equal(needsMoreMetered(new Set(["join", "toString", "toLocaleString"])), false);
    assert.equal(needsMoreMetered(new Set(["join", "repeat"])), true);
    assert.equal(needsMoreMetered("all"), true);
    // Every name the sandbox can meter but those three is wrapped by metered-more.js, so each must bring it.
    for (const name of meteredNames) {
      if (name === "join" || name === "toString" || name === "toLocaleString") continue;
      assert.equal(needsMoreMetered(new Set([name])), true, name);
    }
  });

  it("refuse to start when asked for more than the isolate was given, rather than run a method unmetered", () => {
    // metered-builtins.js with the stand-in (metered-more-none.js) in place of metered-more.js, as the isolate gets
    // it for a program that names no other method: asked for `indexOf` anyway, installing throws.
    const dir = mkdtempSync(join(tmpdir(), "cg-metered-"));
    try {
      const source = (name: string) => readFileSync(new URL(`../../../worker-loader/${name}`, import.meta.url), "utf8");
      writeFileSync(join(dir, "metered-builtins.js"), source("metered-builtins.js"));
      writeFileSync(join(dir, "metered-more.js"), source("metered-more-none.js"));
      writeFileSync(join(dir, "plain-data.js"), source("plain-data.js"));
      const run = (names: string[]) => {
        const script = `const { meterBuiltins } = await import(${JSON.stringify(pathToFileURL(join(dir, "metered-builtins.js")).href)});
try { meterBuiltins(() => {}, ${JSON.stringify(names)}); console.log("installed"); } catch (err) { console.log(err.message); }`;
        return execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim();
      };
      assert.equal(run([]), "installed");
      assert.equal(run(["join"]), "installed");
      assert.match(run(["indexOf"]), /started without the metered built-ins its code can reach/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("merge across the program and the skills it imports, and every name the host can send is metered", () => {
    assert.equal(mergeSelections(new Set(["map"]), "all"), "all");
    assert.deepEqual(meteredOption(mergeSelections(new Set(["map"]), new Set(["slice", "map"]))), ["map", "slice"]);
    const names = selected("return [].concat().flat().with(0, 1).findLast(Boolean) + ''.trimEnd();");
    assert.deepEqual(names, ["concat", "findLast", "flat", "trimEnd", "with"]);
    for (const name of names) assert.ok(meteredNames.includes(name), name);
    assert.ok(meteredNames.length > 50 && meteredNames.includes("toString") && meteredNames.includes("from"));
  });
});
