/**
 * @module sandbox/prepare-regex
 * Decides how a regular expression may run in the sandbox. V8's engine backtracks: `(a+)+$` is exponential,
 * `(.*a){6}!` polynomial, even `\s+$` quadratic on 100,000 spaces, and a running match cannot be interrupted by the
 * step guard (local workerd has no CPU limit at all). So a pattern runs natively only when its work is proven small:
 *
 * - **native**: every repetition is bounded, so one match attempt explores at most `work` character steps (paths
 *   through the pattern times its length), and a whole search at most `work` per starting position; the sandbox
 *   charges that to the step budget before the match runs. One exception keeps `\s+`, `\d+` and `[^,]*` native: an
 *   unbounded repetition of one character as the last item of a top-level alternative (nothing after it can fail, so
 *   it is never backtracked into).
 * - **linear**: anything else the linear-time engine (regex-linear.ts, a Pike VM) supports runs there, metered step
 *   by step: O(pattern × text) whatever the pattern.
 * - **native, polynomial**: what the linear engine cannot run (backreferences, lookbehinds around unbounded
 *   repetition) runs natively if its backtracking is polynomial of small degree: at most MAX_DEGREE unbounded
 *   repetitions, none nested and none with a choice inside, such as `(['"])(.*?)\1`. A search is charged
 *   `work × n^(degree+1)` for a text of n characters before it runs, so a long text ends at the step budget.
 * - **refused**: what none of these can run safely (`(a|b)*\1`, patterns over MAX_PATTERN_LENGTH, syntax this parser
 *   does not know), with a reason the model can act on.
 *
 * Shared by the host (regex literals, when the code is prepared) and the sandbox (worker-loader/regex-check.js is
 * generated from this module), so both decide alike.
 */
import { parseRegex, RegexSyntaxError } from "./regex-syntax";
import type { RegexNode, RegexTree } from "./regex-tree";

/** Longest pattern accepted at all (the parser and the classifier are linear in it). */
export const MAX_PATTERN_LENGTH = 10_000;
/** Character steps one native match attempt may take: paths through the pattern times its length. */
export const MAX_NATIVE_WORK = 1_000;
/** Instructions of a linear-engine program (counted repetitions are copied: `a{1000}` is 1,000). */
export const MAX_PROGRAM_SIZE = 20_000;

/** Unbounded repetitions a natively run pattern the linear engine cannot take may hold. */
export const MAX_DEGREE = 2;

/**
 * How a pattern runs in the sandbox. Native, `degree` 0: `work` character steps per starting position, plus the
 * characters of a trailing run (`run`) when it matches.
 */
export type RegexPlan =
  | { engine: "native"; work: number; degree: number; run: boolean }
  | { engine: "linear"; size: number }
  | { engine: "refused"; reason: string };

/** Worst-case shape of a sub-pattern under backtracking. */
interface Cost {
  /** Ways to match it (choices the engine may backtrack through), capped at CAP. */
  paths: number;
  /** Characters it can consume at most. */
  len: number;
  /** Contains a repetition without an upper bound. */
  unbounded: boolean;
  /** Unbounded repetitions (and backreferences to them) along one path: the polynomial's degree. */
  degree: number;
  /** An unbounded repetition of something with choices or repetitions inside: exponential backtracking. */
  nested: boolean;
}

const CAP = 2 ** 40;
const cap = (n: number) => (n > CAP ? CAP : n);
const FREE: Cost = { paths: 1, len: 0, unbounded: false, degree: 0, nested: false };

/** Cost analysis of the tree, recording each capture group's cost for backreferences to it. */
function costOf(tree: RegexTree) {
  const groups: Cost[] = [];
  const seq = (items: readonly RegexNode[]): Cost => {
    const total = { ...FREE };
    for (const item of items) {
      const c = node(item);
      total.paths = cap(total.paths * c.paths);
      total.len = cap(total.len + c.len);
      total.unbounded ||= c.unbounded;
      total.degree += c.degree;
      total.nested ||= c.nested;
    }
    return total;
  };
  const alts = (list: readonly RegexNode[][]): Cost => {
    const total = { ...FREE, paths: 0 };
    for (const items of list) {
      const c = seq(items);
      total.paths = cap(total.paths + c.paths);
      if (c.len > total.len) total.len = c.len;
      total.unbounded ||= c.unbounded;
      if (c.degree > total.degree) total.degree = c.degree;
      total.nested ||= c.nested;
    }
    return total;
  };
  const node = (n: RegexNode): Cost => {
    switch (n.t) {
      case "char":
        // A class of strings (`[\q{a|aa}]`, `\p{RGI_Emoji}`) chooses between strings, like an alternation.
        return n.multi ? { ...FREE, paths: 8, len: 16 } : { ...FREE, len: 1 };
      case "assert":
        return FREE;
      case "backref": {
        const targets =
          typeof n.ref === "number"
            ? [groups[n.ref]]
            : tree.groupNames.flatMap((name, i) => (name === n.ref ? [groups[i + 1]] : []));
        const c = { ...FREE };
        for (const target of targets) {
          // A forward reference, or one inside its own group, matches the empty string.
          if (!target) continue;
          c.len = Math.max(c.len, target.len);
          c.unbounded ||= target.unbounded;
          // Comparing an unbounded capture costs up to the text's length.
          if (target.unbounded) c.degree = 1;
        }
        return c;
      }
      case "look": {
        // A lookaround is atomic (never re-entered by backtracking); each evaluation costs its own search.
        const body = alts(n.alts);
        return { ...body, paths: 1, len: cap(body.paths * (body.len + 1)) };
      }
      case "group": {
        const c = alts(n.alts);
        if (n.index > 0) groups[n.index] = c;
        return c;
      }
      case "quant": {
        const body = node(n.body);
        if (n.max === Infinity) {
          // Each iteration count is one more way to split the text; a choice inside multiplies them exponentially.
          return {
            paths: 1,
            len: cap(Math.max(n.min, 1) * body.len),
            unbounded: true,
            degree: 1,
            nested: body.nested || body.unbounded || body.paths > 1,
          };
        }
        // body.paths ^ max, capped (a count of 2^32 must not loop 2^32 times).
        let paths = 1;
        if (body.paths > 1) for (let k = 0; k < n.max && paths < CAP; k++) paths = cap(paths * body.paths);
        return {
          paths: cap(paths * (n.max - n.min + 1)),
          len: cap(n.max * body.len),
          unbounded: body.unbounded,
          degree: n.max * body.degree,
          nested: body.nested,
        };
      }
    }
  };
  return { seq, node };
}

/** `x+`, `x*`, `(x+)`: an unbounded run of one single-character matcher, with no choices inside. */
function isRun(n: RegexNode | undefined): boolean {
  if (!n) return false;
  if (n.t === "group") return n.alts.length === 1 && n.alts[0]!.length === 1 && isRun(n.alts[0]![0]);
  return n.t === "quant" && n.max === Infinity && n.body.t === "char" && !n.body.multi;
}

/** Work per starting position and degree if the polynomial backtracking of the pattern is small, or undefined. */
function polynomialWork(tree: RegexTree): { work: number; degree: number } | undefined {
  const c = costOf(tree).seq([{ t: "group", index: 0, alts: tree.alts }]);
  if (c.nested || c.degree > MAX_DEGREE) return undefined;
  const work = cap(c.paths * (c.len + 1));
  return work <= MAX_NATIVE_WORK ? { work, degree: c.degree } : undefined;
}

/** Work per starting position (and whether a trailing run adds its characters) if the pattern may run natively. */
function nativeWork(tree: RegexTree): { work: number; run: boolean } | undefined {
  const { seq, node } = costOf(tree);
  let paths = 0;
  let len = 0;
  let run = false;
  for (const items of tree.alts) {
    // A trailing run is never backtracked into: nothing after it can fail. Its characters are charged as matched.
    const last = items[items.length - 1];
    const trailing = isRun(last);
    const c = trailing ? seq(items.slice(0, -1)) : seq(items);
    if (trailing) {
      node(last!); // Records its group's cost for backreferences.
      run = true;
    }
    if (c.unbounded) return undefined;
    paths = cap(paths + c.paths);
    len = Math.max(len, c.len);
  }
  const work = cap(paths * (len + 1));
  return work <= MAX_NATIVE_WORK ? { work, run } : undefined;
}

/** Instructions the linear engine needs (regex-linear.ts compiles the same way), capped past MAX_PROGRAM_SIZE. */
export function programSize(alts: readonly RegexNode[][]): number {
  const limit = MAX_PROGRAM_SIZE + 1;
  const seqSize = (items: readonly RegexNode[]) => items.reduce((n, item) => Math.min(limit, n + size(item)), 0);
  const altsSize = (list: readonly RegexNode[][]) =>
    Math.min(limit, list.reduce((n, items) => n + seqSize(items), 0) + 2 * (list.length - 1));
  const size = (n: RegexNode): number => {
    switch (n.t) {
      case "char":
      case "assert":
      case "backref":
        return 1;
      case "look":
        return Math.min(limit, 1 + (n.behind ? 0 : altsSize(n.alts) + 1));
      case "group":
        return Math.min(limit, altsSize(n.alts) + 2);
      case "quant": {
        const body = size(n.body) + 1; // +1: the reset of captures at each iteration.
        const copies = n.max === Infinity ? n.min + 1 : n.max;
        return Math.min(limit, copies * (body + 2));
      }
    }
  };
  return Math.min(limit, altsSize(alts) + 3);
}

/** Why the linear engine cannot run this tree, or undefined if it can. */
function linearBlocker(alts: readonly RegexNode[][], tree: RegexTree): string | undefined {
  const { node } = costOf(tree);
  const stack: RegexNode[] = alts.flat();
  const hasCapture = (list: readonly RegexNode[][]): boolean => {
    const inner: RegexNode[] = list.flat();
    while (inner.length > 0) {
      const n = inner.pop()!;
      if (n.t === "group" && n.index > 0) return true;
      if (n.t === "group" || n.t === "look") inner.push(...n.alts.flat());
      else if (n.t === "quant") inner.push(n.body);
    }
    return false;
  };
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.t === "backref") return "it uses a backreference (\\1 or \\k<name>) together with unbounded repetition";
    if (n.t === "char" && n.multi) return "it uses a v-flag class of strings (\\q{…} or a property of strings)";
    if (n.t === "look") {
      if (hasCapture(n.alts)) return "it captures inside a lookaround together with unbounded repetition";
      if (n.behind && node(n).unbounded) return "it uses a lookbehind around unbounded repetition";
      stack.push(...n.alts.flat());
    } else if (n.t === "group") stack.push(...n.alts.flat());
    else if (n.t === "quant") stack.push(n.body);
  }
  return undefined;
}

/**
 * Plans how `source` (a pattern V8 accepted with `flags`) runs in the sandbox: natively with a bound on its work,
 * on the linear-time engine, or not at all.
 */
export function classifyRegex(source: string, flags: string): RegexPlan {
  if (source.length > MAX_PATTERN_LENGTH) {
    return {
      engine: "refused",
      reason: `the pattern is ${source.length} characters long; the sandbox accepts up to ${MAX_PATTERN_LENGTH}`,
    };
  }
  let tree: RegexTree;
  try {
    tree = parseRegex(source, flags);
  } catch (error) {
    if (!(error instanceof RegexSyntaxError)) throw error;
    return { engine: "refused", reason: `the sandbox's regex check does not understand it (${error.message})` };
  }
  const native = nativeWork(tree);
  if (native !== undefined) return { engine: "native", ...native, degree: 0 };
  const size = programSize(tree.alts);
  const blocker =
    linearBlocker(tree.alts, tree) ??
    (size > MAX_PROGRAM_SIZE ? `its counted repetitions expand to more than ${MAX_PROGRAM_SIZE} steps` : undefined);
  if (blocker) {
    const polynomial = polynomialWork(tree);
    if (polynomial) return { engine: "native", ...polynomial, run: false };
    return {
      engine: "refused",
      reason:
        `its matching time cannot be bounded: ${blocker}, so it cannot run on the linear-time engine, and V8's ` +
        "backtracking engine could run it for exponential or high polynomial time. Bound the repetitions " +
        "({0,50} instead of * or +), use smaller counts, or match in steps with simpler patterns",
    };
  }
  return { engine: "linear", size };
}

/** The message of the SyntaxError a refused pattern gets (host and sandbox alike). */
export function refusalMessage(source: string, reason: string): string {
  const shown = source.length > 80 ? `${source.slice(0, 80)}…` : source;
  return `Invalid regular expression /${shown}/: it cannot run in the sandbox because ${reason}`;
}
