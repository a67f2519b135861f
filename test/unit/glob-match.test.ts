/**
 * Glob matching for workspace searches and tool filters: the same answers as the regex translation it replaced,
 * with work bounded by text length × glob length (counted in budget steps), never backtracking.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileGlob, GlobBudget, GlobBudgetError } from "../../src/glob-match";

const PATHS = { pathSegments: true, question: true, ignoreCase: true } as const;
const NAMES = { pathSegments: false, question: false, ignoreCase: false } as const;

/** The translation search_files used before (a backtracking RegExp), as the reference for small inputs. */
function oldWorkspaceRegex(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
        if (glob[i + 1] === "/") i++;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i");
}

describe("compileGlob", () => {
  it("answers as the old regex translation did for workspace paths", () => {
    const globs = ["*.md", "**/*.md", "docs/**", "a?c.txt", "**", "*", "x/**/y/*.TXT", "[a].md", "a*b*c", "**/"];
    const paths = [
      "a.md",
      "docs/a.md",
      "docs/x/y/z.md",
      "abc.txt",
      "ABC.TXT",
      "x/y/q.txt",
      "x/k/y/q.txt",
      "[a].md",
      "abc",
      "a/b/c",
      "",
    ];
    for (const glob of globs) {
      const compiled = compileGlob(glob, PATHS);
      for (const path of paths) {
        assert.equal(compiled.match(path), oldWorkspaceRegex(glob).test(path), `${glob} vs ${path}`);
      }
    }
  });

  it("matches tool names with * across any characters, case-sensitively", () => {
    const glob = compileGlob("github_*_delete", NAMES);
    assert.equal(glob.match("github_repo/x_delete"), true);
    assert.equal(glob.match("GITHUB_repo_delete"), false);
    assert.equal(compileGlob("a?b", NAMES).match("axb"), false);
    assert.equal(compileGlob("a?b", NAMES).match("a?b"), true);
  });

  it("spends at most (text length × (glob length + 1)) steps on a pattern that backtracks as a regex", () => {
    const pattern = `${"*a".repeat(50)}b`;
    const text = "a".repeat(10_000);
    const budget = new GlobBudget(Number.MAX_SAFE_INTEGER);
    assert.equal(compileGlob(pattern, PATHS).match(text, budget), false);
    const spent = Number.MAX_SAFE_INTEGER - budget.left;
    assert.ok(spent <= text.length * (pattern.length + 1), `${spent} steps`);
  });

  it("throws GlobBudgetError once the shared budget is spent", () => {
    const glob = compileGlob("*a*a*a*b", PATHS);
    const budget = new GlobBudget(1_000);
    assert.throws(() => {
      for (let i = 0; i < 100; i++) glob.match("a".repeat(100), budget);
    }, GlobBudgetError);
  });
});
