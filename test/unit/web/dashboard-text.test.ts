/** The dashboard's pure text helpers: the highlighter, the line diff and the example call of a tool. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CatalogTool } from "../../../src/registry/registry-types";
import { exampleCall } from "../../../src/web/dashboard/example-call";
import { highlightLines, highlightRuns, MAX_HIGHLIGHT_CHARS } from "../../../src/web/dashboard/highlight";
import { lineDiff, MAX_DIFF_CELLS } from "../../../src/web/dashboard/line-diff";

const classes = (code: string) =>
  highlightRuns(code)
    .filter((r) => r.cls && r.cls !== "pun")
    .map((r) => `${r.cls}:${r.text}`);

test("the highlighter classes keywords, strings, numbers and comments, and keeps every character", () => {
  const code = `import { a } from "servers/x"; // go\nconst n: number = await a({ k: 1 }).catch((e) => e);`;
  assert.equal(
    highlightRuns(code)
      .map((r) => r.text)
      .join(""),
    code,
  );
  assert.deepEqual(classes(code), [
    "kw:import",
    "kw:from",
    'str:"servers/x"',
    "com:// go",
    "kw:const",
    "kw:number",
    "kw:await",
    "num:1",
  ]);
});

test("code the tokenizer cannot read is kept whole, the rest shown plain", () => {
  const code = 'const a = "ok";\nconst b = `unterminated';
  assert.equal(
    highlightRuns(code)
      .map((r) => r.text)
      .join(""),
    code,
  );
  assert.equal(highlightLines(code).length, 2);
});

test("code past MAX_HIGHLIGHT_CHARS is shown plain rather than tokenized", () => {
  const code = `const a = 1;\n${"x".repeat(MAX_HIGHLIGHT_CHARS)}`;
  const runs = highlightRuns(code);
  assert.equal(runs.map((r) => r.text).join(""), code);
  assert.equal(runs.at(-1)!.cls, "");
});

test("a block comment over several lines is cut into one run per line", () => {
  assert.deepEqual(highlightLines("/* a\nb */ x"), [
    [{ text: "/* a", cls: "com" }],
    [
      { text: "b */", cls: "com" },
      { text: " ", cls: "" },
      { text: "x", cls: "" },
    ],
  ]);
});

test("the line diff keeps common lines and marks removed and added ones", () => {
  assert.deepEqual(
    lineDiff("a\nb\nc\nd", "a\nc\nx\nd").map((l) => `${l.op} ${l.text}`),
    ["same a", "del b", "same c", "add x", "same d"],
  );
});

test("a diff too large for the table is shown as removed then added lines", () => {
  const side = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 1;
  const a = Array.from({ length: side }, (_, i) => `a${i}`).join("\n");
  const b = Array.from({ length: side }, (_, i) => `b${i}`).join("\n");
  const diff = lineDiff(a, b);
  assert.equal(diff.length, 2 * side);
  assert.equal(diff[0]!.op, "del");
  assert.equal(diff[side]!.op, "add");
});

const tool = (inputSchema: CatalogTool["inputSchema"], examples?: unknown[]): CatalogTool =>
  ({
    server: "files",
    serverId: "files",
    name: "write-file",
    id: "write_file",
    description: "",
    inputSchema,
    hash: "h",
    ...(examples ? { examples } : {}),
  }) as CatalogTool;

test("the example call fills required properties with defaults, enum values or typed placeholders", () => {
  const schema = {
    type: "object",
    properties: {
      path: { type: "string" },
      mode: { enum: ["overwrite", "append"] },
      size: { type: "integer", default: 10 },
      opts: { type: "object", properties: { dry: { type: "boolean" } }, required: ["dry"] },
      optional: { type: "string" },
    },
    required: ["path", "mode", "size", "opts", "__proto__"],
  };
  assert.equal(
    exampleCall(tool(schema)),
    `import { write_file } from "servers/files";

const result = await write_file({
  "path": "…",
  "mode": "overwrite",
  "size": 10,
  "opts": {
    "dry": false
  }
});
return result;`,
  );
});

test("the example call uses the upstream's own example when there is one", () => {
  assert.match(
    exampleCall(tool({ type: "object" }, [{ path: "/a.txt" }])),
    /write_file\(\{\n {2}"path": "\/a\.txt"\n\}\)/,
  );
});
