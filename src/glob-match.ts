/**
 * @module glob-match
 * Glob matching without regular expressions: a glob compiles to a list of tokens and a text is matched by
 * advancing the set of reachable tokens one character at a time (an NFA simulation), so a match costs at most
 * (text length × glob length) and never backtracks. A glob translated to a RegExp (`*a*a*a*b` -> `.*a.*a.*a.*b`)
 * backtracks polynomially: one workspace search with such a pattern ran for a minute inside its Durable Object.
 */

type Token = { kind: "char"; ch: string } | { kind: "one" } | { kind: "star"; crossesSlash: boolean };

/** How a glob reads. */
export interface GlobSyntax {
  /** `**` matches across `/` (and `**` followed by `/` also matches no directory at all); `*` stops at `/`. */
  pathSegments: boolean;
  /** `?` matches one character (other than `/` with pathSegments). */
  question: boolean;
  /** Compare case-insensitively. */
  ignoreCase: boolean;
}

/** A compiled glob: `match(text, budget)` spends at most `budget.left` steps and throws GlobBudgetError past it. */
export interface Glob {
  match(text: string, budget?: GlobBudget): boolean;
}

/** Work left for glob matching (shared by the matches of one request). */
export class GlobBudget {
  constructor(public left: number) {}
}

/** Thrown when a GlobBudget is spent. */
export class GlobBudgetError extends Error {
  override name = "GlobBudgetError";
}

function tokenize(glob: string, syntax: GlobSyntax): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      let crossesSlash = !syntax.pathSegments;
      if (syntax.pathSegments && glob[i + 1] === "*") {
        crossesSlash = true;
        i++;
        if (glob[i + 1] === "/") i++;
      }
      // Consecutive stars match what the widest of them matches.
      const last = tokens[tokens.length - 1];
      if (last?.kind === "star") last.crossesSlash ||= crossesSlash;
      else tokens.push({ kind: "star", crossesSlash });
    } else if (c === "?" && syntax.question) {
      tokens.push({ kind: "one" });
    } else {
      tokens.push({ kind: "char", ch: syntax.ignoreCase ? c.toLowerCase() : c });
    }
  }
  return tokens;
}

/** Compiles a glob. */
export function compileGlob(glob: string, syntax: GlobSyntax): Glob {
  const tokens = tokenize(glob, syntax);
  const m = tokens.length;
  return {
    match(input: string, budget?: GlobBudget): boolean {
      const text = syntax.ignoreCase ? input.toLowerCase() : input;
      let current = new Uint8Array(m + 1);
      let next = new Uint8Array(m + 1);
      // Reachable tokens, in order; a star can also be skipped (it matches the empty string).
      const close = (states: Uint8Array) => {
        for (let t = 0; t < m; t++) if (states[t] && tokens[t]!.kind === "star") states[t + 1] = 1;
      };
      current[0] = 1;
      close(current);
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        next.fill(0);
        let alive = false;
        if (budget) {
          budget.left -= m + 1;
          if (budget.left < 0) throw new GlobBudgetError("glob matching budget spent");
        }
        for (let t = 0; t < m; t++) {
          if (!current[t]) continue;
          const token = tokens[t]!;
          if (token.kind === "star") {
            if (token.crossesSlash || c !== "/") {
              next[t] = 1;
              alive = true;
            }
          } else if (token.kind === "one" ? !(syntax.pathSegments && c === "/") : token.ch === c) {
            next[t + 1] = 1;
            alive = true;
          }
        }
        if (!alive) return false;
        close(next);
        [current, next] = [next, current];
      }
      return current[m] === 1;
    },
  };
}
