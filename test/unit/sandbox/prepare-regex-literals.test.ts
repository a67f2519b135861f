/**
 * Regular expressions in a program: a literal no engine can run safely is refused at its position, one V8 could
 * backtrack on is rewritten into the sandbox's planned constructor on its line, and whether the program can make a
 * regular expression at all (which decides the sandbox's full regex guard). The classifier: prepare-regex.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prepareCode } from "../../../src/sandbox/prepare";
import { failure, GUARD, MODULES, prepare, prepared } from "./prepare-fixtures";

describe("prepareCode errors", () => {
  it('refuses regex literals (and new RegExp("…")) that no engine can run safely, at their position', () => {
    const literal = failure("const ok = /^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$/;\nconst bad = /(a|b)*\\1/;");
    assert.equal(literal.kind, "syntax");
    assert.deepEqual([literal.line, literal.column], [2, 13]);
    assert.match(
      literal.message,
      /^Invalid regular expression \/\(a\|b\)\*\\1\/: it cannot run in the sandbox because/,
    );
    assert.equal(failure('const re = new RegExp("(a|b)*\\\\1", "u");').column, 23);
    assert.ok(prepare('const re = new RegExp("(a+)+$"); return /(\\w+)\\s(\\w+)/.exec("a b");').ok);
  });

  it("rewrites regex literals V8 could backtrack on into the sandbox's planned constructor, on their line", () => {
    const code = prepared("const a = /^\\d{4}$/;\nconst b = /^(\\w+\\s?)*$/gi;\nreturn [a, b];");
    const lines = code.split("\n");
    assert.match(lines[0]!, new RegExp(`import \\{ createRegExp as ${GUARD}_regex \\} from "\\./regex-guard\\.js";`));
    assert.equal(lines[1], "const b = ".concat(`${GUARD}_regex("^(\\\\w+\\\\s?)*$", "gi");`));
    assert.match(lines[0]!, /const a = \/\^\\d\{4\}\$\/;$/);
    assert.ok(!prepared("return /^\\d+/.test('1');").includes("_regex"));
  });

  it("rewrites a regex literal that is an arrow body or a loop body inside the guard's wrapper", () => {
    const code = prepared('const f = () => /(a+)+$/;\nfor (;;) /(b+)+$/.test("b");');
    const lines = code.split("\n");
    assert.match(
      lines[0]!,
      new RegExp(`const f = \\(\\) => \\(${GUARD}\\(\\), ${GUARD}_regex\\("\\(a\\+\\)\\+\\$", ""\\)\\);$`),
    );
    assert.equal(
      lines[1],
      `for (;;) {if(++${GUARD}_m.n>${GUARD}_m.max)${GUARD}_m.over();${GUARD}_regex("(b+)+$", "").test("b");}`,
    );
  });
});

describe("whether the program can make a regular expression (the sandbox's full regex guard)", () => {
  const regex = (code: string) => {
    const result = prepareCode({ code, modules: MODULES, guardName: GUARD });
    assert.ok(result.ok, JSON.stringify(result));
    return result.regex;
  };

  it("is false for code that never names one", () => {
    for (const code of [
      "return 1;",
      "const parts = 'a-b'.split('-'); return parts.join('+').replace('+', '=');",
      "const R = globalThis['Reg' + 'Exp']; return typeof R;",
      "const m = 'mat' + 'ch'; return 'a'[m];",
      "// RegExp, match and search in a comment are not code\nreturn 2;",
      "let x = 6 / 2 / 3; return x;",
      "const searching = 1, matches = 2; return searching + matches;",
    ]) {
      assert.equal(regex(code), false, code);
    }
  });

  it("is true for a regex literal, a name of RegExp, match, matchAll or search, or such a string", () => {
    for (const code of [
      "return /a/.test('a');",
      "return /(a+)+$/.test('a');",
      "return new RegExp('a').source;",
      "return RegExp;",
      "return 'abc'.match('b');",
      "return [...'abab'.matchAll('b')];",
      "return 'abc'.search('c');",
      "const { match } = String.prototype; return typeof match;",
      "return 'a'['match']('a');",
      "return String.prototype[`search`];",
      "const key = 'RegExp'; return globalThis[key];",
      "const o = { search: 1 }; return o;",
      "const s = 'a'; return s?.match?.('a');",
    ]) {
      assert.equal(regex(code), true, code);
    }
  });

  it("counts names in TypeScript only where they survive as code", () => {
    assert.equal(regex("type M = { match: string }; const m: RegExp | null = null; return m;"), false);
    assert.equal(regex("const re: RegExp = new RegExp('x'); return re.source;"), true);
  });
});
