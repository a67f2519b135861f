/**
 * @module sandbox/regex-syntax
 * A parser for JavaScript regular expression sources (every syntax V8 accepts: classes, `v`-mode nested classes,
 * named groups, lookarounds, backreferences, inline modifier groups `(?i:…)`, lazy and counted quantifiers). It
 * expects a pattern the engine has already accepted and builds the tree (regex-tree.ts) both the classifier
 * (prepare-regex.ts) and the linear-time engine (regex-linear.ts) work from; regex-scan.ts reads it character by
 * character. Iterative over the source, recursive only in group nesting, which is capped; anything it does not
 * understand throws {@link RegexSyntaxError} and is refused, never guessed.
 */
import { escapeLength, isDigit, isStringProperty, literalSource, readBraces, run } from "./regex-scan";
import type { CharNode, RegexNode, RegexTree } from "./regex-tree";

/** Group nesting the parser follows (V8 allows more; deeper patterns are refused). */
const MAX_NESTING = 100;

/** A pattern the parser does not understand (the classifier refuses it). */
export class RegexSyntaxError extends Error {}

interface Modes {
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
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
