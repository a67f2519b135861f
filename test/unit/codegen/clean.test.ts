import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleanText } from "../../../src/codegen/clean";

describe("cleanText", () => {
  it("gives an empty string for non-string input", () => {
    for (const value of [undefined, null, 42, {}, ["a"], true]) assert.equal(cleanText(value), "");
  });

  it("keeps ordinary text, newlines and tabs", () => {
    assert.equal(cleanText("Read a file.\n\tPath is relative."), "Read a file.\n\tPath is relative.");
  });

  it("removes ANSI CSI sequences such as colors and cursor moves", () => {
    assert.equal(cleanText("\x1b[31mred\x1b[0m and \x1b[2J\x1b[1;1Hmoved"), "red and moved");
  });

  it("removes ANSI OSC sequences terminated by BEL or ST, payload included", () => {
    assert.equal(cleanText("a\x1b]0;title\x07b"), "ab");
    assert.equal(cleanText("a\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\b"), "alinkb");
  });

  it("removes an unterminated ANSI sequence up to the end", () => {
    assert.equal(cleanText("ok\x1b[31"), "ok");
    assert.equal(cleanText("ok\x1b]0;hidden"), "ok");
  });

  it("removes C0 and C1 control characters except newline and tab", () => {
    assert.equal(cleanText("a\x00b\x07c\x08d\x7fe\x85f\x9bg"), "abcdefg");
  });

  it("turns CR LF and lone CR into newlines", () => {
    assert.equal(cleanText("one\r\ntwo\rthree"), "one\ntwo\nthree");
  });

  it("removes zero-width and invisible characters", () => {
    const hidden = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e";
    assert.equal(cleanText(`in${hidden}visible`), "invisible");
  });

  it("removes bidi controls", () => {
    const bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c";
    assert.equal(cleanText(`safe${bidi}text`), "safetext");
  });

  it("removes Unicode tag characters that smuggle hidden text", () => {
    const smuggled = [..."ignore all"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("");
    assert.equal(cleanText(`Lists files.${smuggled}\u{e007f}`), "Lists files.");
  });

  it("removes variation selectors of both ranges", () => {
    assert.equal(cleanText("a\ufe00\ufe0fb\u{e0100}\u{e01ef}c"), "abc");
  });

  it("removes unpaired surrogates but keeps emoji", () => {
    assert.equal(cleanText("a\ud800b\udc00c 😀"), "abc 😀");
  });

  it("collapses runs of spaces, drops spaces before newlines and extra blank lines, and trims", () => {
    assert.equal(cleanText("  a    b  \n\n\n\nc\u00a0\u3000d  "), "a b\n\nc d");
  });

  it("leaves text within the cap unchanged", () => {
    assert.equal(cleanText("short text", 10), "short text");
  });

  it("cuts long text at a word boundary near the cap and appends an ellipsis", () => {
    assert.equal(cleanText("The quick brown fox jumps over the lazy dog", 20), "The quick brown fox…");
  });

  it("cuts mid-word when no word boundary is near the cap", () => {
    assert.equal(cleanText("a abcdefghijklmnopqrstuvwxyz", 10), "a abcdefg…");
  });

  it("never splits a surrogate pair when cutting", () => {
    assert.equal(cleanText("abcd😀😀😀", 6), "abcd…");
  });

  it("gives an empty string for a cap below one", () => {
    assert.equal(cleanText("abc", 0), "");
  });

  it("cleans 1 MB of hostile text in linear time", () => {
    const chunk = "\x1b[31mword\x1b[0m \x1b]0;x\x07\u200b\u202e\u{e0041}\x1b[";
    const input = chunk.repeat(Math.ceil(1_000_000 / chunk.length));
    const started = performance.now();
    const out = cleanText(input);
    const elapsed = performance.now() - started;
    assert.ok(out.startsWith("word word word"));
    assert.equal(out.replaceAll("word", "").trim(), "");
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  });

  it("cleans 1 MB of unterminated escape starts in linear time", () => {
    const started = performance.now();
    cleanText("\x1b]".repeat(500_000));
    cleanText(`\x1b[${"0;".repeat(500_000)}`);
    cleanText(" ".repeat(1_000_000) + "x");
    assert.ok(performance.now() - started < 2000);
  });
});
