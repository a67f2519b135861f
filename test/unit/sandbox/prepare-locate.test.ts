/**
 * Where a runtime error is in the agent's own code: the prepared module puts the gateway's imports and wrapper on
 * line 1, inserts guards and strips types, so a V8 location in it is mapped back (PrepareResult.locate) through
 * those edits (prepare-edits.ts offsetBeforeEdits) and the TypeScript strip, exactly; agentLocation finds the
 * agent's frame in a stack.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentLocation } from "../../../src/sandbox/prepare";
import {
  applyEdits,
  blank,
  close,
  editedOffsets,
  offsetBeforeEdits,
  open,
  replace,
} from "../../../src/sandbox/prepare-edits";
import { LineIndex } from "../../../src/sandbox/prepare-location";
import { prepare } from "./prepare-fixtures";

describe("offsetBeforeEdits", () => {
  it("maps every offset of the edited text back to the original, and inserted text to where it went in", () => {
    const code = "abcdefghij";
    const edits = [open(2, "<<", 0), close(5, ">>", 0), replace(7, 9, "XYZW")];
    const out = applyEdits(code, edits);
    assert.equal(out, "ab<<cde>>fgXYZWj");
    const back = [...out].map((_, i) => offsetBeforeEdits(edits, i));
    assert.deepEqual(back, [0, 1, 2, 2, 2, 3, 4, 5, 5, 5, 6, 7, 7, 7, 7, 9]);
    assert.equal(offsetBeforeEdits(edits, out.length), code.length);
  });

  it("answers as the linear walk does through a binary search (editedOffsets), empty edits and neighbours included", () => {
    const code = "abc\ndefgh\nijklmnop";
    // Every kind at once: insertions at the same place, a blank that leaves no text, replacements side by side.
    const edits = [
      open(0, "[", 1),
      open(0, "{", 2),
      close(3, "]", 0),
      blank(code, 4, 6),
      replace(6, 7, ""),
      replace(7, 9, "XY"),
      open(9, "", 0),
      replace(9, 10, "Q"),
      close(code.length, ")", 0),
    ];
    const out = applyEdits(code, edits);
    const indexed = editedOffsets(edits);
    for (let i = 0; i <= out.length + 2; i++) assert.equal(indexed(i), offsetBeforeEdits(edits, i), `offset ${i}`);
    assert.equal(editedOffsets([])(5), 5);
  });
});

describe("PrepareResult.locate", () => {
  /** The location in the prepared module of the `nth` occurrence of `marker`, as V8 would report it. */
  function inPrepared(code: string, marker: string, nth = 0) {
    let at = -1;
    for (let i = 0; i <= nth; i++) at = code.indexOf(marker, at + 1);
    assert.ok(at >= 0, `${marker} not in ${code}`);
    return new LineIndex(code).locate(at);
  }

  const cases: Array<[string, string]> = [
    ['throw new Error("x");', "new Error"],
    ['const n: number = 2; for (let i = 0; i < n; i++) {} throw new Error("y");', "new Error"],
    ['const a = 1;\n  const f = (x: string): never => { throw new Error(x) }; f("z");', "new Error"],
    ["function g(a: number) { while (a > 0) a--; return a.toFixed(1).foo.bar; }\ng(3);", ".bar"],
    ['import { read_file } from "servers/workspace";\nconst t = await read_file({ path: "/" }); t.x.y;', ".y"],
  ];
  for (const [code, marker] of cases) {
    it(`finds ${JSON.stringify(marker)} where the agent wrote it: ${JSON.stringify(code).slice(0, 60)}`, () => {
      const result = prepare(code);
      assert.ok(result.ok);
      const expected = new LineIndex(code).locate(code.indexOf(marker));
      assert.deepEqual(result.locate(inPrepared(result.code, marker)), expected);
    });
  }

  it("answers undefined inside the gateway's own header", () => {
    const result = prepare("return 1;");
    assert.ok(result.ok);
    assert.equal(result.locate({ line: 1, column: 1 }), undefined);
    assert.equal(result.locate({ line: 99, column: 1 }), undefined);
  });
});

describe("agentLocation", () => {
  it("finds the first agent.js frame", () => {
    const stack = [
      "Error: boom",
      "    at step (runtime.js:4:11)",
      "    at walk (agent.js:12:3)",
      "    at __cg_main (agent.js:20:9)",
    ].join("\n");
    assert.deepEqual(agentLocation(stack), { line: 12, column: 3 });
    assert.deepEqual(agentLocation("Error\n    at file:///tmp/x/agent.js:7:1"), { line: 7, column: 1 });
    assert.deepEqual(agentLocation("Error\n    at async agent.js:5:2"), { line: 5, column: 2 });
    assert.equal(agentLocation("Error\n    at myagent.js:1:1\n    at runtime.js:2:2"), undefined);
  });
});
