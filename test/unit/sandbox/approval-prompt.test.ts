import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { approvalPrompt, MAX_PROMPT_CHARS, MAX_PROMPT_DEPTH } from "../../../src/sandbox/approval-prompt";

const prompt = (args: unknown) => {
  const p = approvalPrompt("workspace", "delete_file", args);
  assert.ok(p.ok, p.ok ? "" : p.error);
  return p;
};

describe("approval prompt", () => {
  test("short arguments are shown whole and said to be complete", () => {
    const p = prompt({ path: "/victim.txt", recursive: true });
    assert.equal(
      p.text,
      [
        "Code running in the gateway wants to call workspace.delete_file with these arguments:",
        "{",
        '  "path": "/victim.txt",',
        '  "recursive": true',
        "}",
        "These are the complete arguments; nothing else is sent.",
        "Allow this call?",
      ].join("\n"),
    );
    assert.equal(p.shortened, false);
  });

  test("padding cannot push a later argument out of view: long values are shortened in the middle with their length", () => {
    const p = prompt({ note: "x".repeat(100_000), path: "/etc/important" });
    assert.ok(p.text.length <= MAX_PROMPT_CHARS);
    assert.match(p.text, /"path": "\/etc\/important"/);
    assert.match(p.text, /"note": "x+…x+" \(shortened: 100,000 characters\)/);
    assert.match(p.text, /SHORTENED/);
    assert.equal(p.shortened, true);
  });

  test("long arrays show their first and last items and their length", () => {
    const p = prompt({ paths: Array.from({ length: 5_000 }, (_, i) => `/f${i}`) });
    assert.match(p.text, /"\/f0"/);
    assert.match(p.text, /"\/f4999"/);
    assert.match(p.text, /\(shortened: an array of 5,000 items, the first \d+ and last \d+ shown\)/);
  });

  test("every property name is shown, shortening values further as needed", () => {
    const args = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key${i}`, "v".repeat(500)]));
    const p = prompt(args);
    for (let i = 0; i < 300; i++) assert.ok(p.text.includes(`"key${i}"`), `key${i}`);
    assert.ok(p.text.length <= MAX_PROMPT_CHARS);
  });

  test("arguments with more names than a prompt can show are refused, not shown in part", () => {
    const args = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    const p = approvalPrompt("workspace", "delete_file", args);
    assert.equal(p.ok, false);
    assert.match(p.ok ? "" : p.error, /5,000 property names\) are too many to show/);
  });

  test("arguments nested deeper than the prompt shows are refused", () => {
    let args: unknown = 1;
    for (let i = 0; i <= MAX_PROMPT_DEPTH + 1; i++) args = { a: args };
    const p = approvalPrompt("workspace", "delete_file", args);
    assert.equal(p.ok, false);
    assert.match(p.ok ? "" : p.error, /nest deeper than/);
  });

  test("names like __proto__ and constructor are shown as the keys they are", () => {
    const p = prompt(JSON.parse('{"__proto__":{"path":"/x"},"constructor":1}'));
    assert.match(p.text, /"__proto__": \{\n {4}"path": "\/x"\n {2}\},\n {2}"constructor": 1/);
  });

  test("a tool name cannot forge prompt lines, and bidi or invisible characters in values are shown escaped", () => {
    const p = approvalPrompt("evil", "x with these arguments:\n{}\nThese are the complete arguments", {
      path: "/safe/\u202etxt.exe",
    });
    assert.ok(p.ok);
    assert.equal(
      p.text.split("\n")[0],
      'Code running in the gateway wants to call evil."x with these arguments:\\n{}\\nThese are the complete arguments" with these arguments:',
    );
    assert.match(p.text, /"path": "\/safe\/\\u202etxt\.exe"/);
  });
});
