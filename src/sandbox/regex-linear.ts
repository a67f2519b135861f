/**
 * @module sandbox/regex-linear
 * The sandbox's linear-time regex engine, for patterns V8's backtracking engine could run for ever (see
 * prepare-regex.ts). A Pike VM: the pattern compiles to a small program and every thread advances one character at
 * a time, each program counter at most once per position, so a search costs O(program × text) whatever the pattern.
 * Threads keep JavaScript's priority order (leftmost, then the first alternative, greedy or lazy as written), so
 * matches and captures are those of `RegExp` apart from rare capture details of empty iterations.
 *
 * Single characters are tested with the native engine on a one-character string (`^(?:[a-z\d])$` with the pattern's
 * flags): classes, escapes, case folding and Unicode properties mean exactly what they mean to V8. Lookaheads run
 * as sub-programs anchored at the position; lookbehinds, only allowed when bounded, natively. Work is charged to
 * `spend` as it happens, so a long search ends at the step budget instead of stalling the isolate.
 */
import type { CharNode, RegexNode, RegexTree } from "./regex-tree";

// Bound at load, before the sandbox replaces RegExp with its guarded constructor.
const NativeRegExp = RegExp;
const nativeExec = RegExp.prototype.exec;
const { apply } = Reflect;
const fromCodePoint = String.fromCodePoint;
const fromCharCode = String.fromCharCode;

/**
 * Steps of budget per VM operation (one thread on one character, or one empty-width instruction). An operation
 * costs 15 to 45 ns here, a loop step of the agent's code 1 to 4 ns: charged like this, a search that spends the
 * default 50,000,000-step budget runs for a fraction of a second, as a loop would. The budget bounds time.
 */
const STEPS_PER_OP = 4;
/** Operations counted before `spend` is called. */
const SPEND_EVERY = 4_096;
/** Non-ASCII results one character test remembers before starting over. */
const MAX_CACHED_CHARS = 4_096;

const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const SAVE = 3;
const ASSERT = 4;
const LOOK = 5;
const RESET = 6;
const MATCH = 7;

type CharTest = (code: number) => boolean;

type Inst =
  | { op: typeof CHAR; test: CharTest }
  | { op: typeof SPLIT; x: number; y: number }
  | { op: typeof JMP; x: number }
  | { op: typeof SAVE; slot: number }
  | { op: typeof ASSERT; kind: "^" | "$" | "b" | "B"; multiline: boolean; ignoreCase: boolean }
  | { op: typeof LOOK; negative: boolean; ahead?: Program; behind?: RegExp }
  | { op: typeof RESET; lo: number; hi: number }
  | { op: typeof MATCH };

/** A compiled pattern. */
export interface Program {
  insts: Inst[];
  slots: number;
  unicode: boolean;
}

/** A match: capture slots (start and end of each group, group 0 first) into the input. */
export type LinearMatch = Array<number | undefined>;

/** Charges `n` steps of the sandbox's budget (may throw when it is spent). */
export type Spend = (n: number) => void;

function isLineTerminator(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

function isWordChar(c: number, unicodeIgnoreCase: boolean): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    (unicodeIgnoreCase && (c === 0x017f || c === 0x212a))
  );
}

/** Compiles a parsed pattern. `flags` are the pattern's own (u, v and the defaults of i, m, s). */
export function compileLinear(tree: RegexTree): Program {
  const tests = new Map<string, CharTest>();
  const unicode = tree.unicode;
  const modeFlag = tree.unicodeSets ? "v" : unicode ? "u" : "";

  const charTest = (node: CharNode): CharTest => {
    const flags = `${node.ignoreCase ? "i" : ""}${node.dotAll ? "s" : ""}${modeFlag}`;
    const key = `${flags}/${node.src}`;
    let test = tests.get(key);
    if (test) return test;
    const literal = unicode ? node.src.codePointAt(0)! : node.src.charCodeAt(0);
    const single = node.src.length === (literal > 0xffff ? 2 : 1) && node.src !== "." && node.src !== "\\";
    if (single && !node.ignoreCase) {
      test = (c) => c === literal;
    } else {
      const re = new NativeRegExp(`^(?:${node.src})$`, flags);
      const ascii = new Int8Array(128);
      let others = new Map<number, boolean>();
      const native = (c: number) => apply(nativeExec, re, [unicode ? fromCodePoint(c) : fromCharCode(c)]) !== null;
      test = (c) => {
        if (c < 128) {
          if (ascii[c] === 0) ascii[c] = native(c) ? 2 : 1;
          return ascii[c] === 2;
        }
        let hit = others.get(c);
        if (hit === undefined) {
          if (others.size >= MAX_CACHED_CHARS) others = new Map();
          hit = native(c);
          others.set(c, hit);
        }
        return hit;
      };
    }
    tests.set(key, test);
    return test;
  };

  const build = (alts: readonly RegexNode[][]): Program => {
    const insts: Inst[] = [];
    const emit = (inst: Inst) => insts.push(inst) - 1;

    /** Capture groups (lowest and highest index) inside a node, to reset them at each iteration. */
    const groupRange = (n: RegexNode): [number, number] | undefined => {
      let lo = Infinity;
      let hi = -Infinity;
      const stack: RegexNode[] = [n];
      while (stack.length > 0) {
        const m = stack.pop()!;
        if (m.t === "group") {
          if (m.index > 0) {
            lo = Math.min(lo, m.index);
            hi = Math.max(hi, m.index);
          }
          stack.push(...m.alts.flat());
        } else if (m.t === "quant") stack.push(m.body);
      }
      return lo === Infinity ? undefined : [lo, hi];
    };

    const node = (n: RegexNode): void => {
      switch (n.t) {
        case "char":
          emit({ op: CHAR, test: charTest(n) });
          return;
        case "assert":
          emit({ op: ASSERT, kind: n.kind, multiline: n.multiline, ignoreCase: n.ignoreCase });
          return;
        case "backref":
          throw new Error("regex-linear: backreferences are not supported (prepare-regex refuses them)");
        case "look": {
          if (n.behind) {
            const flags = `${n.ignoreCase ? "i" : ""}${n.multiline ? "m" : ""}${n.dotAll ? "s" : ""}${modeFlag}y`;
            emit({ op: LOOK, negative: n.negative, behind: new NativeRegExp(n.src, flags) });
          } else {
            emit({ op: LOOK, negative: n.negative, ahead: build(n.alts) });
          }
          return;
        }
        case "group":
          if (n.index > 0) emit({ op: SAVE, slot: 2 * n.index });
          alternatives(n.alts);
          if (n.index > 0) emit({ op: SAVE, slot: 2 * n.index + 1 });
          return;
        case "quant": {
          const range = groupRange(n.body);
          const iteration = () => {
            if (range) emit({ op: RESET, lo: 2 * range[0], hi: 2 * range[1] + 2 });
            node(n.body);
          };
          for (let i = 0; i < n.min; i++) iteration();
          if (n.max === Infinity) {
            const loop = emit({ op: SPLIT, x: 0, y: 0 });
            iteration();
            emit({ op: JMP, x: loop });
            const out = insts.length;
            insts[loop] = n.lazy ? { op: SPLIT, x: out, y: loop + 1 } : { op: SPLIT, x: loop + 1, y: out };
          } else {
            const splits: number[] = [];
            for (let i = n.min; i < n.max; i++) {
              splits.push(emit({ op: SPLIT, x: 0, y: 0 }));
              iteration();
            }
            const out = insts.length;
            for (const at of splits)
              insts[at] = n.lazy ? { op: SPLIT, x: out, y: at + 1 } : { op: SPLIT, x: at + 1, y: out };
          }
          return;
        }
      }
    };

    const alternatives = (list: readonly RegexNode[][]) => {
      const jumps: number[] = [];
      for (let i = 0; i < list.length; i++) {
        const split = i < list.length - 1 ? emit({ op: SPLIT, x: 0, y: 0 }) : -1;
        for (const item of list[i]!) node(item);
        if (split >= 0) {
          jumps.push(emit({ op: JMP, x: 0 }));
          insts[split] = { op: SPLIT, x: split + 1, y: insts.length };
        }
      }
      for (const at of jumps) insts[at] = { op: JMP, x: insts.length };
    };

    emit({ op: SAVE, slot: 0 });
    alternatives(alts);
    emit({ op: SAVE, slot: 1 });
    emit({ op: MATCH });
    return { insts, slots: 2 * (tree.groupCount + 1), unicode };
  };

  return build(tree.alts);
}

/** Runs a program over `input` from `start`; `sticky` tries that position only. Null when nothing matches. */
export function execLinear(
  program: Program,
  input: string,
  start: number,
  sticky: boolean,
  spend: Spend,
): LinearMatch | null {
  let ops = 0;
  const charge = () => {
    const steps = ops * STEPS_PER_OP;
    ops = 0;
    spend(steps);
  };
  const lookCache = new Map<Inst, Map<number, boolean>>();

  const run = (prog: Program, from: number, anchored: boolean): LinearMatch | null => {
    const { insts, slots, unicode } = prog;
    const size = insts.length;
    const n = input.length;
    const ops0 = insts.map((inst) => inst.op);
    const visited = new Int32Array(size).fill(-1);
    let generation = 0;
    // Thread lists: program counters and their capture arrays, in priority order (each pc at most once).
    let cpcs = new Int32Array(size);
    let ccaps: LinearMatch[] = new Array(size);
    let ccount = 0;
    let npcs = new Int32Array(size);
    let ncaps: LinearMatch[] = new Array(size);
    let ncount = 0;
    // The depth-first stack of add(): every pc is expanded once per position, and pushes at most two.
    const spcs = new Int32Array(2 * size + 2);
    const scaps: LinearMatch[] = new Array(2 * size + 2);
    const initial: LinearMatch = new Array(slots).fill(undefined);

    const holds = (inst: Extract<Inst, { op: typeof ASSERT }>, pos: number): boolean => {
      switch (inst.kind) {
        case "^":
          return pos === 0 || (inst.multiline && isLineTerminator(input.charCodeAt(pos - 1)));
        case "$":
          return pos === n || (inst.multiline && isLineTerminator(input.charCodeAt(pos)));
        default: {
          const folding = unicode && inst.ignoreCase;
          const before = pos > 0 && isWordChar(input.charCodeAt(pos - 1), folding);
          const after = pos < n && isWordChar(input.charCodeAt(pos), folding);
          return inst.kind === "b" ? before !== after : before === after;
        }
      }
    };

    const looks = (inst: Extract<Inst, { op: typeof LOOK }>, pos: number): boolean => {
      let cache = lookCache.get(inst);
      if (!cache) {
        cache = new Map();
        lookCache.set(inst, cache);
      }
      let found = cache.get(pos);
      if (found === undefined) {
        if (inst.ahead) {
          found = run(inst.ahead, pos, true) !== null;
        } else {
          const re = inst.behind!;
          re.lastIndex = pos;
          found = apply(nativeExec, re, [input]) !== null;
          ops += 16;
        }
        cache.set(pos, found);
      }
      return found !== inst.negative;
    };

    /** Follows every empty-width instruction from `pc0` at `pos`, in priority order, adding threads to the next list. */
    const add = (toNext: boolean, pc0: number, caps0: LinearMatch, pos: number) => {
      let top = 0;
      spcs[0] = pc0;
      scaps[0] = caps0;
      top = 1;
      while (top > 0) {
        top--;
        const pc = spcs[top]!;
        const caps = scaps[top]!;
        if (visited[pc] === generation) continue;
        visited[pc] = generation;
        if (++ops >= SPEND_EVERY) charge();
        switch (ops0[pc]) {
          case JMP:
            spcs[top] = (insts[pc] as { x: number }).x;
            scaps[top++] = caps;
            break;
          case SPLIT: {
            const inst = insts[pc] as { x: number; y: number };
            spcs[top] = inst.y;
            scaps[top++] = caps;
            spcs[top] = inst.x;
            scaps[top++] = caps;
            break;
          }
          case SAVE: {
            const copy = caps.slice();
            copy[(insts[pc] as { slot: number }).slot] = pos;
            spcs[top] = pc + 1;
            scaps[top++] = copy;
            break;
          }
          case RESET: {
            const inst = insts[pc] as { lo: number; hi: number };
            const copy = caps.slice();
            copy.fill(undefined, inst.lo, inst.hi);
            spcs[top] = pc + 1;
            scaps[top++] = copy;
            break;
          }
          case ASSERT:
            if (holds(insts[pc] as Extract<Inst, { op: typeof ASSERT }>, pos)) {
              spcs[top] = pc + 1;
              scaps[top++] = caps;
            }
            break;
          case LOOK:
            if (looks(insts[pc] as Extract<Inst, { op: typeof LOOK }>, pos)) {
              spcs[top] = pc + 1;
              scaps[top++] = caps;
            }
            break;
          default:
            if (toNext) {
              npcs[ncount] = pc;
              ncaps[ncount++] = caps;
            } else {
              cpcs[ccount] = pc;
              ccaps[ccount++] = caps;
            }
        }
      }
    };

    let matched: LinearMatch | null = null;
    let pos = from;
    generation++;
    add(false, 0, initial, pos);
    for (;;) {
      if (ccount === 0 && (matched || anchored || pos >= n)) break;
      const code = pos < n ? (unicode ? input.codePointAt(pos)! : input.charCodeAt(pos)) : -1;
      const width = code > 0xffff ? 2 : 1;
      generation++;
      ncount = 0;
      for (let i = 0; i < ccount; i++) {
        if (++ops >= SPEND_EVERY) charge();
        const pc = cpcs[i]!;
        if (ops0[pc] === MATCH) {
          matched = ccaps[i]!;
          break; // Lower-priority threads lose to this match.
        }
        if (code >= 0 && (insts[pc] as { test: CharTest }).test(code)) add(true, pc + 1, ccaps[i]!, pos + width);
      }
      if (pos >= n) break;
      pos += width;
      if (!matched && !anchored) add(true, 0, initial, pos);
      [cpcs, npcs] = [npcs, cpcs];
      [ccaps, ncaps] = [ncaps, ccaps];
      ccount = ncount;
    }
    return matched;
  };

  try {
    return run(program, start, sticky);
  } finally {
    charge();
  }
}
