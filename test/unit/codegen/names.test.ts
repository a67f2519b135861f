import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assignIdentifiers, isSafeIdentifier, shortHash, toIdentifier, toTypeName } from "../../../src/codegen/names";

describe("toIdentifier", () => {
  it("keeps a name that is already a plain identifier", () => {
    assert.equal(toIdentifier("read_file"), "read_file");
    assert.equal(toIdentifier("$ref2"), "$ref2");
  });

  it("turns every run of invalid characters into one underscore", () => {
    assert.equal(toIdentifier("get-env"), "get_env");
    assert.equal(toIdentifier("a b  c"), "a_b_c");
    assert.equal(toIdentifier("read file!"), "read_file_");
    assert.equal(toIdentifier("ns::tool/v2"), "ns_tool_v2");
  });

  it("replaces non-ASCII characters like any other invalid character", () => {
    assert.equal(toIdentifier("café"), "caf_");
    assert.equal(toIdentifier("日本語"), "_");
    assert.equal(toIdentifier("emoji😀tool"), "emoji_tool");
  });

  it("gives the empty string a single underscore", () => {
    assert.equal(toIdentifier(""), "_");
  });

  it("prefixes a leading digit with an underscore", () => {
    assert.equal(toIdentifier("123abc"), "_123abc");
    assert.equal(toIdentifier("1-2"), "_1_2");
  });

  it("appends an underscore to reserved words", () => {
    for (const word of ["class", "default", "await", "let", "yield", "enum", "static", "null", "true"]) {
      assert.equal(toIdentifier(word), `${word}_`);
    }
  });

  it("appends an underscore to dangerous property names", () => {
    for (const word of ["__proto__", "constructor", "prototype", "then", "toString", "valueOf", "hasOwnProperty"]) {
      assert.equal(toIdentifier(word), `${word}_`);
    }
    for (const word of ["eval", "arguments", "undefined", "call"]) assert.equal(toIdentifier(word), `${word}_`);
  });

  it("leaves names that merely contain a reserved word alone", () => {
    assert.equal(toIdentifier("then_"), "then_");
    assert.equal(toIdentifier("className"), "className");
    assert.equal(toIdentifier("Class"), "Class");
  });

  it("caps a 200-character name at 64 characters ending in a hash of the original", () => {
    const name = "x".repeat(200);
    const id = toIdentifier(name);
    assert.equal(id.length, 64);
    assert.equal(id, `${"x".repeat(57)}_${shortHash(name)}`);
  });

  it("gives long names that share their first 57 characters different identifiers", () => {
    const a = toIdentifier(`${"y".repeat(100)}-a`);
    const b = toIdentifier(`${"y".repeat(100)}-b`);
    assert.notEqual(a, b);
    assert.equal(a.length, 64);
  });

  it("is idempotent: every result is a safe identifier", () => {
    for (const name of ["", "1", "then", "a-b", "日本語", "x".repeat(200), "__proto__", "call"]) {
      const id = toIdentifier(name);
      assert.equal(toIdentifier(id), id);
      assert.ok(isSafeIdentifier(id));
      assert.match(id, /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/);
    }
  });
});

describe("shortHash", () => {
  it("is six stable lowercase hex digits", () => {
    assert.equal(shortHash("a-b"), "681b7b");
    assert.equal(shortHash(""), "ab3e7c");
    assert.match(shortHash("日本語"), /^[0-9a-f]{6}$/);
  });
});

describe("isSafeIdentifier", () => {
  it("rejects invalid, reserved and over-long identifiers", () => {
    for (const id of ["a-b", "1a", "", "class", "then", "__proto__", "call", "a".repeat(65), "x y"]) {
      assert.equal(isSafeIdentifier(id), false, id);
    }
  });
});

describe("assignIdentifiers", () => {
  it("gives a-b, a.b and a_b side by side three distinct identifiers", () => {
    const ids = assignIdentifiers(["a-b", "a.b", "a_b"]);
    assert.deepEqual(
      [...ids],
      [
        ["a-b", "a_b_681b7b"],
        ["a.b", "a_b_8184fa"],
        ["a_b", "a_b"],
      ],
    );
  });

  it("gives the plain identifier to the first colliding name in code-unit order", () => {
    assert.deepEqual(
      [...assignIdentifiers(["a.b", "a-b"])],
      [
        ["a.b", "a_b_8184fa"],
        ["a-b", "a_b"],
      ],
    );
  });

  it("does not rename an existing tool when a colliding name is added", () => {
    const before = assignIdentifiers(["get-env", "list", "a.b"]);
    const after = assignIdentifiers(["get-env", "list", "a.b", "get.env", "a/b"]);
    for (const [name, id] of before) assert.equal(after.get(name), id, name);
    assert.equal(after.get("get.env"), `get_env_${shortHash("get.env")}`);
    assert.equal(after.get("a/b"), `a_b_${shortHash("a/b")}`);
  });

  it("gives a colliding name the same identifier whatever else collides with it", () => {
    const one = assignIdentifiers(["a_b", "a.b"]).get("a.b");
    const two = assignIdentifiers(["a_b", "a-b", "a.b", "a+b"]).get("a.b");
    assert.equal(one, "a_b_8184fa");
    assert.equal(two, one);
  });

  it("does not depend on the order of the input", () => {
    const names = ["z", "a-b", "a.b", "then", "then_", "a_b"];
    const forward = assignIdentifiers(names);
    const backward = assignIdentifiers([...names].reverse());
    for (const name of names) assert.equal(backward.get(name), forward.get(name));
  });

  it("keeps the plain identifier for a name that is its own identifier, over a name that maps to it", () => {
    const ids = assignIdentifiers(["then", "then_"]);
    assert.equal(ids.get("then_"), "then_");
    assert.equal(ids.get("then"), `then__${shortHash("then")}`);
  });

  it("avoids identifiers in the reserved set", () => {
    const ids = assignIdentifiers(["x", "y-z"], { reserved: new Set(["x", "y_z"]) });
    assert.equal(ids.get("x"), `x_${shortHash("x")}`);
    assert.equal(ids.get("y-z"), `y_z_${shortHash("y-z")}`);
  });

  it("assigns the same name the same identifier in two namespaces", () => {
    const servers = assignIdentifiers(["workspace", "git-hub"]);
    const tools = assignIdentifiers(["workspace", "read"]);
    assert.equal(servers.get("workspace"), "workspace");
    assert.equal(tools.get("workspace"), "workspace");
    assert.equal(servers.get("git-hub"), "git_hub");
  });

  it("keeps hashed identifiers of long colliding names within 64 characters", () => {
    const a = `${"n".repeat(64)}`;
    const b = `${"n".repeat(64)}!`;
    const ids = assignIdentifiers([a, b, `${"n".repeat(57)}_${shortHash(b)}`]);
    const values = [...ids.values()];
    assert.equal(new Set(values).size, 3);
    for (const id of values) assert.ok(isSafeIdentifier(id), id);
  });

  it("produces distinct safe identifiers for many hostile names", () => {
    const names = ["", "_", "__", "1", "_1", "日本", "中文", "then", "then_", "__proto__", "a-b", "a.b", "a_b"];
    names.push(...Array.from({ length: 200 }, (_, i) => `tool-${i % 20}.${"x".repeat(i)}`));
    const ids = assignIdentifiers(names);
    assert.equal(new Set(ids.values()).size, new Set(names).size);
    for (const id of ids.values()) assert.ok(isSafeIdentifier(id), id);
  });
});

describe("toTypeName", () => {
  it("turns an identifier into PascalCase", () => {
    assert.equal(toTypeName("read_file"), "ReadFile");
    assert.equal(toTypeName("getEnv"), "GetEnv");
    assert.equal(toTypeName("then_"), "Then");
  });

  it("never starts with a digit and is never empty", () => {
    assert.equal(toTypeName("_1"), "T1");
    assert.equal(toTypeName("_"), "T");
  });
});
