/**
 * @module sandbox/regex-tree
 * The tree a parsed regular expression becomes (src/sandbox/regex-syntax.ts): alternatives of sequences of
 * character matchers, assertions, groups, lookarounds, backreferences and quantifiers. Both the classifier
 * (prepare-regex.ts) and the linear-time engine (regex-linear.ts) work from it.
 */

/** One character matcher: its source text (tested with the engine on one character) and the flags it runs under. */
export interface CharNode {
  t: "char";
  src: string;
  /** Effective `i` and `s` (inline modifiers included); `u`/`v` come from the pattern's flags. */
  ignoreCase: boolean;
  dotAll: boolean;
  /** A `v`-mode class that may match a string of several characters (`\q{…}`, properties of strings). */
  multi?: boolean;
}

export interface AssertNode {
  t: "assert";
  kind: "^" | "$" | "b" | "B";
  multiline: boolean;
  ignoreCase: boolean;
}

export interface GroupNode {
  t: "group";
  /** 1-based capture index, or 0 for a non-capturing group. */
  index: number;
  name?: string;
  alts: RegexNode[][];
}

export interface LookNode {
  t: "look";
  behind: boolean;
  negative: boolean;
  alts: RegexNode[][];
  /** The whole group's source, `(?=…)`, with its effective flags, for running it natively when that is safe. */
  src: string;
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
}

export interface BackrefNode {
  t: "backref";
  /** Capture index, or the name for `\k<name>` (resolved by the user: duplicate names are legal in alternatives). */
  ref: number | string;
}

export interface QuantNode {
  t: "quant";
  body: RegexNode;
  min: number;
  /** Infinity when unbounded. */
  max: number;
  lazy: boolean;
}

export type RegexNode = CharNode | AssertNode | GroupNode | LookNode | BackrefNode | QuantNode;

/** A parsed pattern: alternatives of sequences, and its capture groups. */
export interface RegexTree {
  alts: RegexNode[][];
  groupCount: number;
  groupNames: Array<string | undefined>;
  unicode: boolean;
  unicodeSets: boolean;
}
