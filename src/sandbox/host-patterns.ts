/**
 * @module sandbox/host-patterns
 * The `pattern` and `patternProperties` of a JSON Schema, matched on the host in bounded time. The full validator
 * (`@cfworker/json-schema`) builds `new RegExp(pattern, "u")` and calls `test` on V8's backtracking engine, where
 * `^(a+)+$` against 40 `a`s and a `!` runs for minutes and blocks every request of the object (and locally every
 * user, who share one thread). The patterns come from upstream servers, from servers users add and from skills
 * the agent saves.
 *
 * {@link withBoundedPatterns} runs a validation with the global `RegExp` the validator reaches replaced by one
 * that plans each pattern as the sandbox does (prepare-regex.ts): natively when its work per position is bounded,
 * else on the sandbox's linear-time engine (regex-linear.ts), with all matching of one validation charged to one
 * budget. A pattern that cannot be bounded, or matching past the budget, counts as a match: the host cannot judge
 * it, so the upstream server (or the skill's code) does, as for a schema the validator cannot read. The swap is
 * synchronous and undone before `withBoundedPatterns` returns; regex literals, which the validator's own code
 * uses, never read the global.
 */
import { classifyRegex } from "./prepare-regex";
import { compileLinear, execLinear, type Program } from "./regex-linear";
import { parseRegex } from "./regex-syntax";

/** Character steps of matching one validation may take (the linear engine charges 4 per operation). */
export const PATTERN_BUDGET = 20_000_000;
const MAX_CACHED = 1_000;

const NativeRegExp = RegExp;
const nativeTest = RegExp.prototype.test;

class Spent extends Error {}

type Spend = (steps: number) => void;
/** A planned pattern: whether `text` matches, charging `spend`; throws Spent when the budget is gone. */
type Matcher = (text: string, spend: Spend) => boolean;

const cache = new Map<string, Matcher>();

function plan(source: string, flags: string): Matcher {
  // The native constructor decides what is a pattern at all, and throws V8's own SyntaxError otherwise.
  const native = new NativeRegExp(source, flags);
  const test = (text: string) => Reflect.apply(nativeTest, native, [text]) as boolean;
  const how = classifyRegex(source, flags);
  if (how.engine === "native") {
    // `work` steps per starting position, times the length again for each unbounded repetition (`degree`).
    return (text, spend) => {
      const n = text.length + 1;
      spend(how.work * n ** (how.degree + 1) + (how.run ? n : 0));
      return test(text);
    };
  }
  if (how.engine === "linear") {
    const program: Program = compileLinear(parseRegex(source, flags));
    return (text, spend) => execLinear(program, text, 0, false, spend) !== null;
  }
  return () => {
    throw new Spent();
  };
}

function matcherFor(source: string, flags: string): Matcher {
  const key = `${flags}\u0000${source}`;
  let matcher = cache.get(key);
  if (!matcher) {
    matcher = plan(source, flags);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, matcher);
  }
  return matcher;
}

/** Runs `fn` (synchronous) with every `new RegExp(source, flags).test(text)` it makes bounded as described above. */
export function withBoundedPatterns<T>(fn: () => T): T {
  let left = PATTERN_BUDGET;
  const spend: Spend = (steps) => {
    left -= steps;
    if (left < 0) throw new Spent();
  };
  function BoundedPattern(source: unknown, flags?: unknown) {
    const matcher = matcherFor(String(source), flags === undefined ? "" : String(flags));
    return {
      test(text: unknown): boolean {
        try {
          return matcher(String(text), spend);
        } catch (error) {
          if (error instanceof Spent) return true;
          throw error;
        }
      },
    };
  }
  globalThis.RegExp = BoundedPattern as unknown as RegExpConstructor;
  try {
    return fn();
  } finally {
    globalThis.RegExp = NativeRegExp;
  }
}
