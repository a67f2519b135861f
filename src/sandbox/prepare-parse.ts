/**
 * @module sandbox/prepare-parse
 * acorn, with its scope tracking made linear. acorn keeps the names declared in each scope in arrays and searches
 * them with `indexOf` on every declaration, so a program of 24,000 top-level declarations (8,000 imports and
 * 16,000 constants fit in 240 KB) cost 3 * 10^8 string comparisons, seconds of the session object's time. The
 * plugin swaps those arrays for ones that answer `indexOf` from a map; the parse result is unchanged.
 */
import { type Options, Parser, type Program } from "acorn";

/** An array of declared names whose `indexOf` is a map lookup (acorn only asks whether, and [0], never where). */
class NameList extends Array<string> {
  #first = new Map<string, number>();

  override push(...names: string[]): number {
    for (const name of names) {
      if (!this.#first.has(name)) this.#first.set(name, this.length);
      super.push(name);
    }
    return this.length;
  }

  override indexOf(name: string): number {
    return this.#first.get(name) ?? -1;
  }
}

interface AcornScope {
  var: string[];
  lexical: string[];
  functions: string[];
}

/** The internals of acorn's Parser this plugin touches (not in its public types). */
interface ScopedParser {
  scopeStack: AcornScope[];
  enterScope(flags: number): void;
}

function linearScopes(Base: typeof Parser): typeof Parser {
  const Scoped = class extends (Base as unknown as new (...args: unknown[]) => ScopedParser) {
    override enterScope(flags: number): void {
      super.enterScope(flags);
      const scope = this.scopeStack[this.scopeStack.length - 1]!;
      scope.var = new NameList();
      scope.lexical = new NameList();
      scope.functions = new NameList();
    }
  };
  return Scoped as unknown as typeof Parser;
}

const LinearParser = Parser.extend(linearScopes);

/** `acorn.parse` with linear-time scope tracking. */
export function parseProgram(code: string, options: Options): Program {
  return LinearParser.parse(code, options) as Program;
}
