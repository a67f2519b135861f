import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fillPrompt, pickedNumbers, programFrom } from "../../../src/planning/parse-answer";

describe("programFrom", () => {
  it("takes the first fenced block, whatever its language tag", () => {
    assert.equal(programFrom("Sure:\n```typescript\nreturn 1;\n```\nand\n```ts\nreturn 2;\n```"), "return 1;");
  });
  it("takes the whole answer when there is no fence", () => {
    assert.equal(programFrom("  return 3;\n"), "return 3;");
  });
  it("keeps what was written in a fence the answer never closed", () => {
    assert.equal(programFrom("```ts\nconst a = 1;\nreturn a;"), "const a = 1;\nreturn a;");
  });
});

describe("pickedNumbers", () => {
  it("reads the first JSON array, drops numbers out of range and duplicates", () => {
    assert.deepEqual(pickedNumbers("I pick [3, 1, 3, 12, 0] because…", 10), [3, 1]);
  });
  it("is undefined for prose, objects or arrays of names", () => {
    assert.equal(pickedNumbers("read_file looks right", 5), undefined);
    assert.equal(pickedNumbers('["read_file"]', 5), undefined);
    assert.equal(pickedNumbers("[1, 2", 5), undefined);
  });
  it("reads an empty array as no tool needed", () => {
    assert.deepEqual(pickedNumbers("[]", 5), []);
  });
});

describe("fillPrompt", () => {
  it("fills each placeholder once without expanding placeholders inside values", () => {
    assert.equal(fillPrompt("T: {{task}} / {{plan}}", { task: "{{plan}}", plan: "p" }), "T: {{plan}} / p");
  });
  it("leaves unknown placeholders and prototype names alone", () => {
    assert.equal(fillPrompt("{{constructor}} {{x}}", {}), "{{constructor}} {{x}}");
  });
});
