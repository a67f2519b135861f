/**
 * @module web/dashboard/highlight
 * Syntax highlighting for code shown on the dashboard (the agent's code, skill code, tool declarations), from
 * acorn's tokenizer rather than regexes: each token gets a class, and the text between tokens (spaces and
 * comments) is kept as it is. The result is a list of lines of classed text runs; the page renders them as JSX,
 * which escapes every character, so the code can never become markup. TypeScript syntax that acorn does not know
 * still tokenizes (type names are names); where the tokenizer gives up, the rest is shown plain.
 */
import { tokenizer } from "acorn";

/** A run of text and its class (`kw`, `str`, `num`, `com`, `pun`, or "" for plain). */
export interface Run {
  text: string;
  cls: string;
}

/** Longest code highlighted; beyond it the text is shown plain (the tokenizer's work stays bounded). */
export const MAX_HIGHLIGHT_CHARS = 200_000;

/** TypeScript words acorn reads as plain names. */
const TS_KEYWORDS = new Set([
  "interface",
  "type",
  "declare",
  "readonly",
  "keyof",
  "namespace",
  "abstract",
  "implements",
  "private",
  "public",
  "protected",
  "as",
  "from",
  "of",
  "async",
  "await",
  "unknown",
  "never",
  "any",
  "string",
  "number",
  "boolean",
  "undefined",
  "satisfies",
]);

function classOf(type: { label: string; keyword?: string | undefined }, value: unknown): string {
  if (type.keyword) return "kw";
  switch (type.label) {
    case "string":
    case "template":
    case "`":
    case "regexp":
      return "str";
    case "num":
    case "bigint":
      return "num";
    case "name":
      return typeof value === "string" && TS_KEYWORDS.has(value) ? "kw" : "";
    default:
      return "pun";
  }
}

/** The runs of `code`: every character of it exactly once, in order. */
export function highlightRuns(code: string): Run[] {
  const limit = Math.min(code.length, MAX_HIGHLIGHT_CHARS);
  const text = code.slice(0, limit);
  const runs: Run[] = [];
  const comments: Array<[number, number]> = [];
  let at = 0;
  let next = 0;
  const gap = (end: number) => {
    // Between tokens: whitespace and comments (reported in order, before the token that follows them).
    while (next < comments.length && comments[next]![1] <= end) {
      const [start, stop] = comments[next++]!;
      if (start < at) continue;
      if (start > at) runs.push({ text: text.slice(at, start), cls: "" });
      runs.push({ text: text.slice(start, stop), cls: "com" });
      at = stop;
    }
    if (at < end) runs.push({ text: text.slice(at, end), cls: "" });
    at = Math.max(at, end);
  };
  try {
    const tokens = tokenizer(text, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      allowHashBang: true,
      onComment: (_block, _text, start, end) => {
        comments.push([start, end]);
      },
    });
    let afterDot = false;
    for (const token of tokens) {
      if (token.start < at) continue;
      gap(token.start);
      if (token.end > token.start) {
        // A property name after `.` is a name even when it is spelled like a keyword (`.catch`, `.delete`).
        const cls = afterDot ? "" : classOf(token.type, (token as { value?: unknown }).value);
        runs.push({ text: text.slice(token.start, token.end), cls });
      }
      afterDot = token.type.label === "." || token.type.label === "?.";
      at = token.end;
    }
  } catch {
    // TypeScript syntax the tokenizer cannot read: what remains is shown plain.
  }
  gap(at);
  if (at < code.length) runs.push({ text: code.slice(at), cls: "" });
  return runs;
}

/** The runs split into lines (a run spanning lines, such as a block comment, is cut at each newline). */
export function highlightLines(code: string): Run[][] {
  const lines: Run[][] = [[]];
  for (const run of highlightRuns(code)) {
    const parts = run.text.split("\n");
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines.at(-1)!.push({ text: part, cls: run.cls });
    });
  }
  return lines;
}
