import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseBridgeJson } from "../../../src/sandbox/bridge-json";

describe("parseBridgeJson (arguments that crossed the bridge)", () => {
  it("parses plain arguments like JSON.parse", () => {
    for (const text of ['{"path":"/a","n":1,"deep":{"xs":[1,"two",null]}}', "[]", '"text"', "null"]) {
      assert.deepEqual(parseBridgeJson(text), JSON.parse(text));
    }
  });

  it("refuses a __proto__ key however it is spelled, at any depth", () => {
    for (const text of [
      '{"__proto__":{"polluted":true}}',
      '{"a":[{"__proto__":1}]}',
      '{"\\u005f_proto__":1}',
      '{"__pro\\u0074o__":{"x":1}}',
    ]) {
      assert.throws(() => parseBridgeJson(text), /the key __proto__ is not allowed/, text);
    }
  });

  it("accepts __proto__ and escapes as values, where they are only text", () => {
    assert.deepEqual(parseBridgeJson('{"name":"__proto__","tab":"a\\u0009b"}'), { name: "__proto__", tab: "a\tb" });
  });
});
