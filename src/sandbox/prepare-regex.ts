/**
 * @module sandbox/prepare-regex
 * A conservative detector of regular expressions that can take exponential time (catastrophic backtracking). The
 * step guard cannot interrupt a regex match, and local workerd has no CPU limit, so one `/(a+)+$/` on a long
 * non-matching string freezes the runtime. Only two well-understood shapes are flagged, both under an unbounded
 * quantifier:
 *
 * - a repeated body that can split one string into iterations in many ways because everything besides one
 *   unbounded part is optional: `(a+)+`, `(a*)*`, `(\w+\s?)*`, `(?:\s*\w+)*`;
 * - alternatives that can match the same text: `(a|aa)+`, `(\w|\d)+`, `(\w|ab)*`.
 *
 * Mandatory delimiters (`([a-z]+\.)+`, `(\w+\s)+`) and disjoint alternatives (`(?:[^"\\]|\\.)*`) are not flagged.
 * Anything it cannot parse is not flagged; it never claims a pattern is safe, only that some are not.
 */

/** Patterns longer than this, or nested deeper, are not analysed (bounded work, no deep recursion). */
const MAX_PATTERN_LENGTH = 10_000;
const MAX_DEPTH = 64;

type RegexNode =
  | { t: "atom"; src: string; literal?: string }
  | { t: "empty" }
  | { t: "group"; alts: RegexNode[][]; look: boolean }
  | { t: "quant"; body: RegexNode; min: number; max: number };

class Unsupported extends Error {}

/** Recursive-descent parser for the subset of JavaScript regex syntax that matters here. */
class RegexParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): RegexNode[][] {
    const alts = this.alternatives(0);
    if (this.pos !== this.src.length) throw new Unsupported("unbalanced )");
    return alts;
  }

  private alternatives(depth: number): RegexNode[][] {
    if (depth > MAX_DEPTH) throw new Unsupported("too deep");
    const alts: RegexNode[][] = [this.sequence(depth)];
    while (this.src[this.pos] === "|") {
      this.pos++;
      alts.push(this.sequence(depth));
    }
    return alts;
  }

  private sequence(depth: number): RegexNode[] {
    const seq: RegexNode[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== "|" && this.src[this.pos] !== ")") {
      const atom = this.term(depth);
      seq.push(this.quantifier(atom));
    }
    return seq;
  }

  private term(depth: number): RegexNode {
    const src = this.src;
    const ch = src[this.pos]!;
    if (ch === "^" || ch === "$") {
      this.pos++;
      return { t: "empty" };
    }
    if (ch === "(") {
      this.pos++;
      let look = false;
      if (src.startsWith("?:", this.pos)) this.pos += 2;
      else if (/^\?<?[=!]/.test(src.slice(this.pos, this.pos + 3))) {
        look = true;
        this.pos += src[this.pos + 1] === "<" ? 3 : 2;
      } else if (src.startsWith("?<", this.pos)) {
        const end = src.indexOf(">", this.pos);
        if (end === -1) throw new Unsupported("bad group name");
        this.pos = end + 1;
      } else if (src[this.pos] === "?") {
        throw new Unsupported("group modifiers");
      }
      const alts = this.alternatives(depth + 1);
      if (src[this.pos] !== ")") throw new Unsupported("unclosed (");
      this.pos++;
      return { t: "group", alts, look };
    }
    if (ch === "[") {
      const start = this.pos;
      this.pos++;
      if (src[this.pos] === "^") this.pos++;
      while (this.pos < src.length && src[this.pos] !== "]") this.pos += src[this.pos] === "\\" ? 2 : 1;
      if (this.pos >= src.length) throw new Unsupported("unclosed [");
      this.pos++;
      return { t: "atom", src: src.slice(start, this.pos) };
    }
    if (ch === "\\") {
      const start = this.pos;
      const next = src[this.pos + 1];
      if (next === undefined) throw new Unsupported("trailing \\");
      if (next === "b" || next === "B") {
        this.pos += 2;
        return { t: "empty" };
      }
      // Backreferences match unknown text; treating them as opaque mandatory atoms only makes flagging rarer.
      const escapeText =
        /^\\(?:[1-9]\d*|k<[^>]*>|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|c[A-Za-z]|[pP]\{[^}]*\}|.)/s.exec(
          src.slice(start, start + 40),
        )![0];
      this.pos += escapeText.length;
      const isLiteral = /^\\[^\w]$/.test(escapeText);
      return isLiteral ? { t: "atom", src: escapeText, literal: escapeText[1]! } : { t: "atom", src: escapeText };
    }
    if (ch === "*" || ch === "+" || ch === "?") throw new Unsupported("nothing to repeat");
    this.pos++;
    return ch === "." ? { t: "atom", src: "." } : { t: "atom", src: ch.replace(/[{}]/, "\\$&"), literal: ch };
  }

  private quantifier(body: RegexNode): RegexNode {
    const src = this.src;
    let min: number;
    let max: number;
    const ch = src[this.pos];
    if (ch === "*") [min, max] = [0, Infinity];
    else if (ch === "+") [min, max] = [1, Infinity];
    else if (ch === "?") [min, max] = [0, 1];
    else if (ch === "{") {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(this.pos, this.pos + 30));
      if (!braces) return body; // A literal "{" (legal without the u flag): the next term() reads it.
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] === "" ? Infinity : Number(braces[3]);
      this.pos += braces[0].length - 1;
    } else {
      return body;
    }
    this.pos++;
    if (src[this.pos] === "?") this.pos++; // Lazy quantifiers backtrack just the same.
    return { t: "quant", body, min, max };
  }
}

function minLength(node: RegexNode): number {
  switch (node.t) {
    case "atom":
      return 1;
    case "empty":
      return 0;
    case "group":
      return node.look ? 0 : Math.min(...node.alts.map((seq) => seq.reduce((n, item) => n + minLength(item), 0)));
    case "quant":
      return node.min * minLength(node.body);
  }
}

/** Characters sampled to compare atom sets: ASCII, Latin-1 and a few others. */
const SAMPLES = [...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)), "\u0100", "\u2028", "\u3042", "😀"];

/** Which sampled characters an atom matches (undefined if it cannot be compiled alone), memoised per call. */
type CharSets = (src: string) => boolean[] | undefined;

function charSets(): CharSets {
  const cache = new Map<string, boolean[] | undefined>();
  const compile = (src: string, flags: string) => {
    try {
      const re = new RegExp(`^(?:${src})$`, flags);
      return SAMPLES.map((c) => re.test(c));
    } catch {
      return undefined;
    }
  };
  return (src) => {
    if (!cache.has(src)) cache.set(src, compile(src, "u") ?? compile(src, ""));
    return cache.get(src);
  };
}

function atomsIn(node: RegexNode, out: string[] = []): string[] {
  if (node.t === "atom") out.push(node.src);
  else if (node.t === "quant") atomsIn(node.body, out);
  else if (node.t === "group" && !node.look) for (const seq of node.alts) for (const item of seq) atomsIn(item, out);
  return out;
}

/** Does this node contain an unbounded repetition that other iterations could share text with? */
function isLooseUnbounded(node: RegexNode, sets: CharSets): boolean {
  if (node.t === "quant") return node.max === Infinity || isLooseUnbounded(node.body, sets);
  if (node.t === "group" && !node.look) return node.alts.some((seq) => isLooseSequence(seq, sets));
  return false;
}

/**
 * One unbounded part and nothing that separates iterations: everything else is optional (`\w+\s?`, `\s*\w+`) or
 * a single character the unbounded part can match too (`.*a`, `\w+\d`). A mandatory character the unbounded part
 * cannot match (`[a-z]+\.`, `\w+\s`) fixes where each iteration ends, so it is not flagged.
 */
function isLooseSequence(seq: readonly RegexNode[], sets: CharSets): boolean {
  const loose = seq.filter((item) => isLooseUnbounded(item, sets));
  if (loose.length === 0) return false;
  const looseSets = loose.flatMap((item) => atomsIn(item)).map(sets);
  return seq.every((item) => {
    if (loose.includes(item) || minLength(item) === 0) return true;
    if (item.t !== "atom") return false;
    const set = sets(item.src);
    return set !== undefined && looseSets.some((other) => other?.some((hit, k) => hit && set[k]));
  });
}

/** Two alternatives that can match the same text, so each repetition doubles the ways to match. */
function ambiguousAlternatives(alts: RegexNode[][], sets: CharSets): string | undefined {
  const atomsOf = (seq: RegexNode[]) =>
    seq.every((n) => n.t === "atom") ? (seq as Array<{ src: string; literal?: string }>) : undefined;
  for (let i = 0; i < alts.length; i++) {
    for (let j = 0; j < alts.length; j++) {
      if (i === j) continue;
      const a = atomsOf(alts[i]!);
      const b = atomsOf(alts[j]!);
      if (!a || !b || a.length === 0 || b.length === 0 || a.length > b.length) continue;
      const text = (atoms: typeof a) => atoms.map((x) => x.src).join("");
      if (a.length === 1) {
        const set = sets(a[0]!.src);
        if (!set) continue;
        if (b.length === 1) {
          const other = sets(b[0]!.src);
          if (i < j && other?.some((hit, k) => hit && set[k]))
            return `alternatives "${text(a)}" and "${text(b)}" overlap`;
        } else {
          // Every character the longer alternative matches, the single atom matches too: "ab" is also "a" then "b".
          const covered = b.every((atom) => {
            const other = sets(atom.src);
            return other?.some(Boolean) && other.every((hit, k) => !hit || set[k]);
          });
          if (covered) return `alternative "${text(b)}" is also a repetition of "${text(a)}"`;
        }
      } else if (a.every((x) => x.literal) && b.every((x) => x.literal)) {
        const short = a.map((x) => x.literal).join("");
        const long = b.map((x) => x.literal).join("");
        if (
          long.length % short.length === 0 &&
          short.repeat(long.length / short.length) === long &&
          (i < j || long !== short)
        ) {
          return `alternative "${long}" is a repetition of "${short}"`;
        }
      }
    }
  }
  return undefined;
}

/**
 * Returns why `pattern` (a regex source without slashes or flags) risks catastrophic backtracking, or undefined if
 * neither flagged shape occurs (which does not prove it safe).
 */
export function findCatastrophicRegex(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return undefined;
  let alts: RegexNode[][];
  try {
    alts = new RegexParser(pattern).parse();
  } catch {
    return undefined;
  }
  const sets = charSets();
  const stack: RegexNode[] = alts.flat();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.t === "group") {
      for (const seq of node.alts) stack.push(...seq);
    } else if (node.t === "quant") {
      stack.push(node.body);
      if (node.max !== Infinity) continue;
      const body = node.body;
      if (body.t === "quant" && isLooseUnbounded(body, sets)) return "nested unbounded quantifiers, like (a+)+";
      if (body.t === "group" && !body.look) {
        if (body.alts.some((seq) => isLooseSequence(seq, sets))) {
          return "a repeated group that can split the same text into iterations in many ways, like (a+)+ or (\\w+\\s?)*";
        }
        const ambiguous = ambiguousAlternatives(body.alts, sets);
        if (ambiguous) return `a repeated group with ${ambiguous}, like (a|aa)+`;
      }
    }
  }
  return undefined;
}
