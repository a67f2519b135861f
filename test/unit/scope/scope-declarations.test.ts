/**
 * Which carried functions, classes and imports a program starts with (src/scope/scope-prepare.ts planScope through
 * prepareCode): only those it names, and those the carried code it gets names; and which classes are not carried
 * at all because their declaration runs code (src/scope/scope-analysis.ts classInitCode).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "acorn";
import { prepareCode } from "../../../src/sandbox/prepare";
import { classInitCode, topLevelScope } from "../../../src/scope/scope-analysis";
import { scopeUpdate } from "../../../src/scope/scope-capture";
import type { CarriedScope } from "../../../src/scope/scope-store";
import { carriedDeclarations } from "../../../src/scope/scope-types";

const modules = {
  servers: Object.assign(Object.create(null), { workspace: ["write_file", "read_file"] }),
  unavailable: new Map(),
  gateway: ["state", "progress"],
  skills: Object.create(null),
};
const carried: CarriedScope = {
  values: [{ name: "rate", json: "2" }],
  declarations: [
    { name: "scale", kind: "function", source: "function scale(n) { return n * rate; }" },
    { name: "Shape", kind: "class", source: "class Shape { area() { return scale(1); } }" },
    { name: "Square", kind: "class", source: "class Square extends Shape { static sides = 4; }" },
    { name: "save", kind: "function", source: "function save(x) { return write_file({ path: '/a', content: x }); }" },
    // Stored before classes with static code were refused: dropped when named, never re-declared.
    { name: "Legacy", kind: "class", source: "class Legacy { static { console.log('ran'); } }" },
  ],
  imports: [
    { local: "write_file", imported: "write_file", source: "servers/workspace" },
    { local: "read_file", imported: "read_file", source: "servers/workspace" },
  ],
};

function prepare(code: string) {
  const prepared = prepareCode({ code, modules: modules as never, guardName: "__cg_step_test", carried });
  assert.ok(prepared.ok, prepared.ok ? "" : prepared.error.message);
  return prepared;
}

test("a program that names no carried declaration gets none: no class is declared, no function appended", () => {
  const prepared = prepare("const y = 5;\ny");
  assert.deepEqual(prepared.scope!.carriedIn, []);
  assert.doesNotMatch(prepared.code, /__cg_class_|function scale|class Legacy|write_file/);
});

test("a named declaration comes in with what it names, transitively, and nothing else", () => {
  assert.deepEqual(prepare("new Square().area()").scope!.carriedIn.sort(), ["Shape", "Square", "rate", "scale"]);
  assert.deepEqual(prepare("save('x')").scope!.carriedIn.sort(), ["save", "write_file"]);
  assert.deepEqual(prepare("await read_file({ path: '/a' })").scope!.carriedIn, ["read_file"]);
  // Named only in a type: the check needs its declaration.
  assert.deepEqual(prepare("let s: Shape | undefined;\ns").scope!.carriedIn.sort(), ["Shape", "rate", "scale"]);
});

test("a stored class whose declaration runs code is dropped when named, not declared again", () => {
  const prepared = prepare("typeof Legacy");
  assert.deepEqual(prepared.scope!.carriedIn, []);
  assert.doesNotMatch(prepared.code, /ran/);
  assert.match(prepared.scope!.dropped.find((d) => d.name === "Legacy")?.reason ?? "", /static block/);
  assert.ok(!prepare("1").scope!.dropped.some((d) => d.name === "Legacy"));
});

const classOf = (code: string) => {
  const statement = parse(code, { ecmaVersion: "latest", sourceType: "module" }).body[0];
  assert.equal(statement?.type, "ClassDeclaration");
  return classInitCode(statement as never);
};

test("a class runs code when declared: static blocks, static initializers, computed names, `extends` calls", () => {
  assert.equal(classOf("class C { static { f(); } }"), "a static block");
  assert.equal(classOf("class C { static x = f(); }"), "a static field initializer that runs code");
  assert.equal(classOf("class C { static x = other.y; }"), "a static field initializer that runs code");
  assert.equal(classOf("class C { static x = [...xs]; }"), "a static field initializer that runs code");
  assert.equal(classOf("class C { [f()]() {} }"), "a computed member name that runs code");
  assert.equal(classOf("class C { [key()] = 1 }"), "a computed member name that runs code");
  assert.equal(classOf("class C extends mixin(Base) {}"), "an `extends` clause that runs code");
});

test("a class whose declaration only makes values is inert", () => {
  for (const code of [
    "class C { m() { f(); } static s() { f(); } x = f(); #p = g(); constructor(a = f()) {} }",
    `class C extends Base { static n = 4; static t = \`a\${n}\`; static o = { a: [1, -2], b: () => f(), c() {} }; }`,
    "class C { static tau = Math.PI * 2; [Symbol.iterator]() {} ['k' + 1]() {} static y; static z = typeof q; }",
  ]) {
    assert.equal(classOf(code), undefined, code);
  }
});

test("a program's class with static code is not kept: the update names it with the reason and forgets the old one", () => {
  const code = "class C { static { console.log('static block ran'); } }\nclass D { m() {} }\n1";
  const prepared = prepare(code);
  const update = scopeUpdate(prepared.scope!, { values: [] }, new Set());
  assert.deepEqual(
    update.declarations.map((d) => d.name),
    ["D"],
  );
  const c = update.unstorable.find((d) => d.name === "C");
  assert.match(c?.reason ?? "", /^not kept: class C runs code when it is declared \(a static block\)/);
  // Still the program's own name: a stored C of an earlier execution is not carried in beside it.
  const own = topLevelScope(parse(code, { ecmaVersion: "latest", sourceType: "module" }), code);
  assert.deepEqual(
    own.uncarried.map((u) => u.name),
    ["C"],
  );
});

test("the type check still knows carried declarations a program does not get, for its 'Did you mean'", () => {
  const declared = carriedDeclarations(carried, ["scale"], new Set(["Shape"]));
  assert.match(declared, /declare function scale\(/);
  assert.match(declared, /declare function save\(/);
  assert.match(declared, /declare let Square: any;/);
  assert.match(declared, /declare let read_file: any;/);
  assert.doesNotMatch(declared, /Shape/);
});
