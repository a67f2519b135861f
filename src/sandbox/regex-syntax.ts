/**
 * @module sandbox/regex-syntax
 * A parser for JavaScript regular expression sources (every syntax V8 accepts: classes, `v`-mode nested classes,
 * named groups, lookarounds, backreferences, inline modifier groups `(?i:…)`, lazy and counted quantifiers). It
 * expects a pattern the engine has already accepted and builds the tree both the classifier (prepare-regex.ts) and
 * the linear-time engine (regex-linear.ts) work from. Iterative over the source, recursive only in group nesting,
 * which is capped; anything it does not understand throws {@link RegexSyntaxError} and is refused, never guessed.
 */

/** Group nesting the parser follows (V8 allows more; deeper patterns are refused). */
const MAX_NESTING = 100;

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

/** A pattern the parser does not understand (the classifier refuses it). */
export class RegexSyntaxError extends Error {}

interface Modes {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
}

/** Characters that must be escaped to stand for themselves in a pattern (valid identity escapes in `u` mode). */
const SYNTAX = new Set("^$\\.*+?()[]{}|/");

// The scanners below avoid regular expressions on purpose: in the sandbox this module plans every pattern, its own
// included, so a regex here would have to be planned before it could be used.

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isHex = (c: string | undefined) =>
  c !== undefined && ((c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F"));
const isLetter = (c: string | undefined) => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));

/** The Unicode properties of strings (`v` mode): they match sequences of several code points. */
const STRING_PROPERTIES = new Set([
  "Basic_Emoji",
  "Emoji_Keycap_Sequence",
  "RGI_Emoji",
  "RGI_Emoji_Flag_Sequence",
  "RGI_Emoji_Modifier_Sequence",
  "RGI_Emoji_Tag_Sequence",
  "RGI_Emoji_ZWJ_Sequence",
]);

/** Whether the `\p{…}` at `at` names a property of strings. */
function isStringProperty(src: string, at: number): boolean {
  const end = src.indexOf("}", at);
  return src[at + 2] === "{" && end !== -1 && STRING_PROPERTIES.has(src.slice(at + 3, end));
}

/** Length of the run of characters from `at` that satisfy `ok`, at most `max`. */
function run(src: string, at: number, ok: (c: string | undefined) => boolean, max = Infinity): number {
  let n = 0;
  while (n < max && at + n < src.length && ok(src[at + n])) n++;
  return n;
}

/** A counted quantifier `{n}`, `{n,}` or `{n,m}` at `at`: its length and bounds, or undefined. */
function readBraces(src: string, at: number): { length: number; min: number; max: number } | undefined {
  if (src[at] !== "{") return undefined;
  const lo = run(src, at + 1, isDigit);
  if (lo === 0) return undefined;
  const min = Number(src.slice(at + 1, at + 1 + lo));
  let i = at + 1 + lo;
  if (src[i] === "}") return { length: i + 1 - at, min, max: min };
  if (src[i] !== ",") return undefined;
  i++;
  const hi = run(src, i, isDigit);
  const max = hi === 0 ? Infinity : Number(src.slice(i, i + hi));
  i += hi;
  return src[i] === "}" ? { length: i + 1 - at, min, max } : undefined;
}

/** Length of the escape sequence at `at` (a backslash) outside classes, other than \b, \B, backreferences, \k. */
function escapeLength(src: string, at: number, unicode: boolean): number {
  const c = src[at + 1];
  if (c === "u") {
    if (unicode && src[at + 2] === "{") {
      const digits = run(src, at + 3, isHex);
      if (digits > 0 && src[at + 3 + digits] === "}") return 4 + digits;
    }
    if (run(src, at + 2, isHex, 4) === 4) {
      // In u mode an escaped surrogate pair is one character.
      const lead = Number.parseInt(src.slice(at + 2, at + 6), 16);
      if (
        unicode &&
        lead >= 0xd800 &&
        lead <= 0xdbff &&
        src[at + 6] === "\\" &&
        src[at + 7] === "u" &&
        run(src, at + 8, isHex, 4) === 4
      ) {
        const trail = Number.parseInt(src.slice(at + 8, at + 12), 16);
        if (trail >= 0xdc00 && trail <= 0xdfff) return 12;
      }
      return 6;
    }
    return 2;
  }
  if (c === "x") return run(src, at + 2, isHex, 2) === 2 ? 4 : 2;
  if (c === "c") return isLetter(src[at + 2]) ? 3 : 2;
  if (unicode && (c === "p" || c === "P") && src[at + 2] === "{") {
    const end = src.indexOf("}", at + 3);
    return end === -1 ? 2 : end + 1 - at;
  }
  if (c === "0" && !unicode) return 2 + run(src, at + 2, (d) => d !== undefined && d >= "0" && d <= "7", 2);
  // Any other single character; in u mode a surrogate pair is one character.
  const code = src.codePointAt(at + 1)!;
  return unicode && code > 0xffff ? 3 : 2;
}

/** The source of a one-character pattern matching `ch` literally. */
export function literalSource(ch: string): string {
  return SYNTAX.has(ch) ? `\\${ch}` : ch;
}

/** Counts capture groups and collects their names, skipping classes and escapes (needed to read `\1` right). */
function scanGroups(src: string, unicodeSets: boolean): Array<string | undefined> {
  const names: Array<string | undefined> = [];
  let classDepth = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === "\\") {
      i++;
    } else if (ch === "[") {
      if (classDepth === 0 || unicodeSets) classDepth++;
    } else if (ch === "]") {
      if (classDepth > 0) classDepth--;
    } else if (ch === "(" && classDepth === 0) {
      if (src[i + 1] !== "?") names.push(undefined);
      else if (src[i + 2] === "<" && src[i + 3] !== "=" && src[i + 3] !== "!") {
        const end = src.indexOf(">", i);
        if (end === -1) throw new RegexSyntaxError("bad group name");
        names.push(src.slice(i + 3, end));
      }
    }
  }
  return names;
}

class Parser {
  private pos = 0;
  private groupIndex = 0;
  readonly names: Array<string | undefined>;
  readonly unicode: boolean;
  readonly unicodeSets: boolean;

  constructor(
    private readonly src: string,
    flags: string,
  ) {
    this.unicodeSets = flags.includes("v");
    this.unicode = flags.includes("u") || this.unicodeSets;
    this.names = scanGroups(src, this.unicodeSets);
  }

  parse(modes: Modes): RegexNode[][] {
    const alts = this.alternatives(modes, 0);
    if (this.pos !== this.src.length) throw new RegexSyntaxError("unbalanced )");
    return alts;
  }

  private alternatives(modes: Modes, depth: number): RegexNode[][] {
    if (depth > MAX_NESTING) throw new RegexSyntaxError("groups nested too deeply");
    const alts: RegexNode[][] = [this.sequence(modes, depth)];
    while (this.src[this.pos] === "|") {
      this.pos++;
      alts.push(this.sequence(modes, depth));
    }
    return alts;
  }

  private sequence(modes: Modes, depth: number): RegexNode[] {
    const seq: RegexNode[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== "|" && this.src[this.pos] !== ")") {
      const atom = this.term(modes, depth);
      seq.push(this.quantifier(atom));
    }
    return seq;
  }

  private char(src: string, modes: Modes, multi = false): CharNode {
    const node: CharNode = { t: "char", src, ignoreCase: modes.ignoreCase, dotAll: modes.dotAll };
    if (multi) node.multi = true;
    return node;
  }

  private term(modes: Modes, depth: number): RegexNode {
    const src = this.src;
    const ch = src[this.pos]!;
    if (ch === "^" || ch === "$") {
      this.pos++;
      return { t: "assert", kind: ch, multiline: modes.multiline, ignoreCase: modes.ignoreCase };
    }
    if (ch === "(") return this.group(modes, depth);
    if (ch === "[") return this.characterClass(modes);
    if (ch === "\\") return this.escape(modes);
    if (ch === "*" || ch === "+" || ch === "?") throw new RegexSyntaxError("nothing to repeat");
    if (ch === "{" && readBraces(src, this.pos)) {
      throw new RegexSyntaxError("nothing to repeat");
    }
    if (ch === ".") {
      this.pos++;
      return this.char(".", modes);
    }
    // One character: a code point in u/v mode (a surrogate pair is one character), a code unit otherwise.
    const code = this.unicode ? src.codePointAt(this.pos)! : src.charCodeAt(this.pos);
    const text = this.unicode ? String.fromCodePoint(code) : src[this.pos]!;
    this.pos += text.length;
    return this.char(literalSource(text), modes);
  }

  private group(modes: Modes, depth: number): RegexNode {
    const src = this.src;
    const start = this.pos;
    this.pos++;
    if (src[this.pos] !== "?") {
      const index = ++this.groupIndex;
      const alts = this.alternatives(modes, depth + 1);
      this.close();
      return { t: "group", index, alts };
    }
    const kind = src.slice(this.pos, this.pos + 3);
    if (kind[1] === ":") {
      this.pos += 2;
      const alts = this.alternatives(modes, depth + 1);
      this.close();
      return { t: "group", index: 0, alts };
    }
    const behind = kind[1] === "<";
    const sign = behind ? kind[2] : kind[1];
    if (sign === "=" || sign === "!") {
      this.pos += behind ? 3 : 2;
      const alts = this.alternatives(modes, depth + 1);
      this.close();
      return {
        t: "look",
        behind,
        negative: sign === "!",
        alts,
        src: src.slice(start, this.pos),
        ...modes,
      };
    }
    if (behind) {
      const end = src.indexOf(">", this.pos);
      if (end === -1) throw new RegexSyntaxError("bad group name");
      const name = src.slice(this.pos + 2, end);
      this.pos = end + 1;
      const index = ++this.groupIndex;
      const alts = this.alternatives(modes, depth + 1);
      this.close();
      return { t: "group", index, name, alts };
    }
    // Inline modifiers: (?i:…), (?-i:…), (?ms-i:…).
    const inner = { ...modes };
    let on = true;
    for (this.pos++; src[this.pos] !== ":"; this.pos++) {
      const flag = src[this.pos];
      if (flag === "-" && on) on = false;
      else if (flag === "i") inner.ignoreCase = on;
      else if (flag === "m") inner.multiline = on;
      else if (flag === "s") inner.dotAll = on;
      else throw new RegexSyntaxError("unknown group syntax");
    }
    this.pos++;
    const alts = this.alternatives(inner, depth + 1);
    this.close();
    return { t: "group", index: 0, alts };
  }

  private close(): void {
    if (this.src[this.pos] !== ")") throw new RegexSyntaxError("unclosed (");
    this.pos++;
  }

  private characterClass(modes: Modes): CharNode {
    const src = this.src;
    const start = this.pos;
    let depth = 0;
    let multi = false;
    while (this.pos < src.length) {
      const c = src[this.pos];
      if (c === "\\") {
        const next = src[this.pos + 1];
        // Strings inside a v-mode class: \q{abc|def}, and properties of strings such as \p{RGI_Emoji}.
        if (this.unicodeSets && (next === "q" || (next === "p" && isStringProperty(src, this.pos)))) multi = true;
        this.pos += 2;
        continue;
      }
      if (c === "[" && (depth === 0 || this.unicodeSets)) depth++;
      else if (c === "]") {
        depth--;
        if (depth === 0) {
          this.pos++;
          return this.char(src.slice(start, this.pos), modes, multi);
        }
      }
      this.pos++;
    }
    throw new RegexSyntaxError("unclosed [");
  }

  private escape(modes: Modes): RegexNode {
    const src = this.src;
    const start = this.pos;
    const next = src[this.pos + 1];
    if (next === undefined) throw new RegexSyntaxError("trailing \\");
    if (next === "b" || next === "B") {
      this.pos += 2;
      return { t: "assert", kind: next, multiline: modes.multiline, ignoreCase: modes.ignoreCase };
    }
    if (next >= "1" && next <= "9") {
      const digits = run(src, this.pos + 1, isDigit);
      const ref = Number(src.slice(this.pos + 1, this.pos + 1 + digits));
      if (ref <= this.names.length) {
        this.pos += 1 + digits;
        return { t: "backref", ref };
      }
      if (this.unicode) throw new RegexSyntaxError("invalid escape");
      // Annex B: \8 is "8"; \12 without 12 groups is the octal escape \1 then "2" (or a literal digit).
      const octal = run(src, this.pos + 1, (d) => d !== undefined && d >= "0" && d <= "7", 3);
      const text = src.slice(this.pos, this.pos + 1 + Math.max(octal, 1));
      this.pos += text.length;
      return this.char(text, modes);
    }
    if (next === "k" && (this.unicode || this.names.some((name) => name !== undefined))) {
      const end = src.indexOf(">", this.pos);
      if (src[this.pos + 2] !== "<" || end === -1) throw new RegexSyntaxError("bad \\k");
      const name = src.slice(this.pos + 3, end);
      this.pos = end + 1;
      return { t: "backref", ref: name };
    }
    const text = src.slice(start, start + escapeLength(src, start, this.unicode));
    // Annex B reads a lone "\\c" as a backslash then "c": two characters, which no one-character test can match.
    if (!text || text === "\\c") throw new RegexSyntaxError("invalid escape");
    this.pos += text.length;
    const multi = this.unicodeSets && text[1] === "p" && isStringProperty(src, start);
    return this.char(text, modes, multi);
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
      const braces = readBraces(src, this.pos);
      if (!braces) {
        if (this.unicode) throw new RegexSyntaxError("lone {");
        return body; // A literal "{" (legal without the u flag): the next term() reads it.
      }
      ({ min, max } = braces);
      this.pos += braces.length - 1;
    } else {
      return body;
    }
    this.pos++;
    let lazy = false;
    if (src[this.pos] === "?") {
      lazy = true;
      this.pos++;
    }
    if (body.t === "assert" || (body.t === "look" && (this.unicode || body.behind))) {
      throw new RegexSyntaxError("nothing to repeat");
    }
    return { t: "quant", body, min, max, lazy };
  }
}

/** Parses a pattern V8 accepted with these flags. Throws {@link RegexSyntaxError} for what it does not understand. */
export function parseRegex(source: string, flags: string): RegexTree {
  const parser = new Parser(source, flags);
  const alts = parser.parse({
    ignoreCase: flags.includes("i"),
    multiline: flags.includes("m"),
    dotAll: flags.includes("s"),
  });
  return {
    alts,
    groupCount: parser.names.length,
    groupNames: parser.names,
    unicode: parser.unicode,
    unicodeSets: parser.unicodeSets,
  };
}
