// Runs INSIDE the sandbox isolate: every regular expression the agent's code builds or runs is planned by the
// generated worker-loader/regex-check.js (src/sandbox/prepare-regex.ts) and runs the way its plan says.
//
// - native: a pattern whose backtracking work is proven small runs on V8's engine, and each match is charged to the
//   step budget for its worst case before it runs (the part it did not use is given back afterwards).
// - linear: any other pattern runs on the linear-time engine (src/sandbox/regex-linear.ts), metered step by step.
//   Its RegExp object holds an empty pattern in V8's own slot, so nothing, not even a path that skips `exec`, can
//   hand the real pattern to the backtracking engine. `source`, `exec` and everything built on `exec` (test,
//   match, matchAll, replace, search, split) use the real pattern.
// - refused: a SyntaxError that says why.
//
// Literals in the agent's code are planned when the code is prepared: native ones stay literals, the others are
// rewritten into calls of createRegExp, so the invariant holds for them too.
import { classifyRegex, compileLinear, execLinear, parseRegex, refusalMessage } from "./regex-check.js";

const { apply, construct, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
const NativeRegExp = RegExp;
const proto = NativeRegExp.prototype;
const nativeExec = proto.exec;
const nativeCompile = proto.compile;
const sourceOf = getOwnPropertyDescriptor(proto, "source").get;
// Each flag from its own native getter (internal slots): the `flags` getter reads `this.global` and friends, which a
// changed prototype could answer falsely.
const FLAG_GETTERS = [
  ["hasIndices", "d"],
  ["global", "g"],
  ["ignoreCase", "i"],
  ["multiline", "m"],
  ["dotAll", "s"],
  ["unicode", "u"],
  ["unicodeSets", "v"],
  ["sticky", "y"],
]
  .map(([name, letter]) => [getOwnPropertyDescriptor(proto, name)?.get, letter])
  .filter(([get]) => typeof get === "function");
const { get: weakGet, set: weakSet, delete: weakDelete } = WeakMap.prototype;
const createObject = Object.create;
const toText = String;
const toNumber = Number;
const { ceil, floor, min, trunc } = Math;
const isNotANumber = Number.isNaN;
const { match: MATCH, matchAll: MATCH_ALL, replace: REPLACE, search: SEARCH, split: SPLIT } = Symbol;

/**
 * Character steps of a native match per step of budget: V8 takes about 1 ns for one, a loop step of the agent's
 * code 1 to 4 ns, so the budget bounds a regex's time about as it bounds a loop's.
 */
const STRING_UNIT = 8;
/** What a linear-engine RegExp holds in V8's slot: matches the empty string, never backtracks. */
const PLACEHOLDER = "(?:)";
const MAX_CACHED_PLANS = 1_000;

let spend = () => {};
let refund = () => {};

// A prototype-less record rather than a Map: Map.prototype.get is the agent's to replace, an own property is not.
let plans = createObject(null);
let cachedPlans = 0;
/** RegExp objects that run on the linear engine -> { source, flags, plan }. */
const linearInfo = new WeakMap();
/** The same for native RegExps, filled on first use: String.prototype.split calls exec once per character. */
const nativeInfo = new WeakMap();

const toLength = (value) => {
  const n = trunc(toNumber(value));
  return isNotANumber(n) || n <= 0 ? 0 : min(n, 2 ** 53 - 1);
};

/**
 * `fn`, named `name`: the build minifies this module (scripts/build-sandbox.mjs) and drops or mangles the names of
 * function expressions and declarations, which the agent's code would otherwise see (`RegExp.prototype.test.name`).
 */
function named(name, fn) {
  defineProperty(fn, "name", { value: name });
  return fn;
}

/** A brand check no prototype change can fool: the native `source` getter throws on anything but a RegExp. */
function isRealRegExp(value) {
  if (value === proto || value === null || typeof value !== "object") return false;
  try {
    apply(sourceOf, value, []);
    return true;
  } catch {
    return false;
  }
}

/** The plan for a pattern, cached; throws V8's own SyntaxError for an invalid one and ours for a refused one. */
function planFor(source, flags) {
  const key = `${flags}/${source}`;
  let plan = plans[key];
  if (plan === undefined) {
    if (source.length <= 10_000) construct(NativeRegExp, [source, flags]); // V8's syntax errors first.
    plan = classifyRegex(source, flags);
    if (++cachedPlans > MAX_CACHED_PLANS) {
      plans = createObject(null);
      cachedPlans = 1;
    }
    plans[key] = plan;
  }
  if (plan.engine === "refused") throw new SyntaxError(refusalMessage(source, plan.reason));
  return plan;
}

/** The flags of a real RegExp, read from its internal slots. */
function flagsOf(re) {
  let flags = "";
  for (const [get, letter] of FLAG_GETTERS) if (apply(get, re, [])) flags += letter;
  return flags;
}

/** { source, flags, plan } of a real RegExp. */
function infoOf(re) {
  const linear = apply(weakGet, linearInfo, [re]);
  if (linear !== undefined) return linear;
  let info = apply(weakGet, nativeInfo, [re]);
  if (info === undefined) {
    const source = apply(sourceOf, re, []);
    const flags = flagsOf(re);
    info = { source, flags, plan: planFor(source, flags) };
    apply(weakSet, nativeInfo, [re, info]);
  }
  return info;
}

function makeRegExp(source, flags, newTarget) {
  const plan = planFor(source, flags);
  if (plan.engine === "native") return construct(NativeRegExp, [source, flags], newTarget);
  const re = construct(NativeRegExp, [PLACEHOLDER, flags], newTarget);
  apply(weakSet, linearInfo, [re, { source: shownSource(source, flags), flags, plan }]);
  return re;
}

/** The source as V8 shows it (`/` and line breaks escaped), which parses to the same pattern. */
function shownSource(source, flags) {
  return apply(sourceOf, construct(NativeRegExp, [source, flags]), []);
}

/** The match array `exec` returns, built from the linear engine's capture slots. */
function matchResult(info, input, caps) {
  if (info.tree === undefined) info.tree = parseRegex(info.source, info.flags);
  const { groupCount, groupNames } = info.tree;
  const result = [];
  const indices = info.flags.includes("d") ? [] : undefined;
  for (let g = 0; g <= groupCount; g++) {
    const start = caps[2 * g];
    const end = caps[2 * g + 1];
    const hit = start !== undefined && end !== undefined;
    result[g] = hit ? input.slice(start, end) : undefined;
    if (indices) indices[g] = hit ? [start, end] : undefined;
  }
  result.index = caps[0];
  result.input = input;
  let groups;
  let indexGroups;
  for (let g = 1; g <= groupCount; g++) {
    const name = groupNames[g - 1];
    if (name === undefined) continue;
    groups ??= createObject(null);
    if (indices) indexGroups ??= createObject(null);
    // Duplicate names (in different alternatives): the one that took part wins.
    if (groups[name] === undefined) {
      groups[name] = result[g];
      if (indices) indexGroups[name] = indices[g];
    }
  }
  result.groups = groups;
  if (indices) {
    indices.groups = indexGroups;
    result.indices = indices;
  }
  return result;
}

/** RegExpBuiltinExec with the plan applied: the linear engine, or V8's with its worst case charged first. */
function builtinExec(re, input) {
  const info = infoOf(re);
  const flags = info.flags;
  const global = flags.includes("g");
  const sticky = flags.includes("y");
  const n = input.length;
  let start = 0;
  if (global || sticky) {
    start = toLength(re.lastIndex);
    if (start > n) {
      re.lastIndex = 0;
      return null;
    }
  }
  if (info.plan.engine === "linear") {
    if (info.program === undefined) {
      info.tree ??= parseRegex(info.source, flags);
      info.program = compileLinear(info.tree);
    }
    const caps = execLinear(info.program, input, start, sticky, spend);
    if (caps === null) {
      if (global || sticky) re.lastIndex = 0;
      return null;
    }
    if (global || sticky) re.lastIndex = caps[1];
    return matchResult(info, input, caps);
  }
  // Native: at most `work` steps per starting position, times (n + 1) per unbounded repetition (the plan's degree),
  // plus the characters of a trailing run.
  const { work, degree } = info.plan;
  const attempts = sticky ? 1 : n - start + 1;
  if (degree > 0) {
    // Polynomial: no cheaper bound is known after the fact, so the worst case is charged in full.
    spend(floor((work * attempts * (n + 1) ** degree) / STRING_UNIT));
    if (global || sticky) re.lastIndex = start;
    return apply(nativeExec, re, [input]);
  }
  // A failed attempt never runs long: a trailing run that starts lets the attempt succeed. Every call costs at least
  // one step (String.prototype.split calls exec once per character).
  const bound = ceil((work * attempts + (info.plan.run ? n - start : 0)) / STRING_UNIT);
  spend(bound);
  // The engine reads lastIndex again: hand it the number the bound was computed for (no second valueOf).
  if (global || sticky) re.lastIndex = start;
  const result = apply(nativeExec, re, [input]);
  const used =
    result === null
      ? ceil((work * attempts) / STRING_UNIT)
      : ceil((work * (result.index - start + 1) + result[0].length) / STRING_UNIT);
  if (used < bound) refund(bound - used);
  return result;
}

/** RegExpExec: the object's own exec if it has one (the agent's code), else the planned built-in. */
function regExpExec(re, input) {
  const exec = re.exec;
  if (typeof exec === "function" && exec !== guardedExec) {
    const result = apply(exec, re, [input]);
    if (result !== null && typeof result !== "object") throw new TypeError("exec must return an object or null");
    return result;
  }
  if (!isRealRegExp(re)) throw new TypeError("RegExp.prototype.test called on an object that is not a RegExp");
  return builtinExec(re, input);
}

function guardedExec(string) {
  if (!isRealRegExp(this)) return apply(nativeExec, this, [string]); // Throws V8's TypeError.
  return builtinExec(this, toText(string));
}

/** Creates a RegExp through the plan; prepared code calls it for literals that must not run natively. */
export function createRegExp(source, flags) {
  return construct(GuardedRegExp, [source, flags]);
}

function GuardedRegExp(pattern, flags) {
  let source;
  let flagText = flags;
  if (isRealRegExp(pattern)) {
    if (new.target === undefined && flags === undefined && pattern.constructor === GuardedRegExp) return pattern;
    const info = infoOf(pattern);
    source = info.source;
    if (flags === undefined) flagText = info.flags;
  } else if (pattern !== null && typeof pattern === "object" && pattern[MATCH]) {
    // Read once: a getter cannot show the plan one text and the engine another.
    source = pattern.source;
    if (flags === undefined) flagText = pattern.flags;
    source = source === undefined ? "" : toText(source);
  } else {
    source = pattern === undefined ? "" : toText(pattern);
  }
  flagText = flagText === undefined ? "" : toText(flagText);
  return makeRegExp(source, flagText, new.target ?? GuardedRegExp);
}

/** Replaces RegExp, its prototype's exec/test/compile/source, and the String methods that build RegExps. */
export function installRegExpGuard(spendSteps, refundSteps) {
  spend = spendSteps;
  refund = refundSteps;

  for (const key of Reflect.ownKeys(NativeRegExp)) {
    if (key === "prototype" || key === "length") continue;
    defineProperty(GuardedRegExp, key, getOwnPropertyDescriptor(NativeRegExp, key));
  }
  defineProperty(GuardedRegExp, "prototype", { value: proto, writable: false, enumerable: false, configurable: false });
  defineProperty(proto, "constructor", { value: GuardedRegExp, writable: true, enumerable: false, configurable: true });
  defineProperty(globalThis, "RegExp", { value: GuardedRegExp, writable: true, enumerable: false, configurable: true });

  // Every built-in match goes through exec (RegExpExec reads it from the object): fixed in place, so deleting or
  // replacing it cannot reach V8's exec directly.
  defineProperty(proto, "exec", {
    value: named("exec", guardedExec),
    writable: false,
    enumerable: false,
    configurable: false,
  });
  defineProperty(proto, "test", {
    value: named("test", function test(string) {
      if (!isRealRegExp(this)) throw new TypeError("RegExp.prototype.test called on an object that is not a RegExp");
      return regExpExec(this, toText(string)) !== null;
    }),
    writable: true,
    enumerable: false,
    configurable: true,
  });
  defineProperty(proto, "source", {
    get: named("get source", function source() {
      const linear = this !== null && typeof this === "object" ? apply(weakGet, linearInfo, [this]) : undefined;
      return linear === undefined ? apply(sourceOf, this, []) : linear.source;
    }),
    enumerable: false,
    configurable: false,
  });
  if (typeof nativeCompile === "function") {
    defineProperty(proto, "compile", {
      value: named("compile", function compile(pattern, flags) {
        if (!isRealRegExp(this)) return apply(nativeCompile, this, [pattern, flags]);
        let source;
        let flagText;
        if (isRealRegExp(pattern)) {
          if (flags !== undefined) return apply(nativeCompile, this, [pattern, flags]); // V8's TypeError.
          const info = infoOf(pattern);
          source = info.source;
          flagText = info.flags;
        } else {
          source = pattern === undefined ? "" : toText(pattern);
          flagText = flags === undefined ? "" : toText(flags);
        }
        const plan = planFor(source, flagText);
        apply(weakDelete, nativeInfo, [this]);
        if (plan.engine === "native") {
          apply(weakDelete, linearInfo, [this]);
          return apply(nativeCompile, this, [source, flagText]);
        }
        apply(nativeCompile, this, [PLACEHOLDER, flagText]);
        apply(weakSet, linearInfo, [this, { source: shownSource(source, flagText), flags: flagText, plan }]);
        return this;
      }),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }

  // The Symbol methods call exec themselves. Only an object that shadows exec (an own property, or another
  // prototype) can make them fall back to V8's exec without our metering: charge those calls in advance.
  for (const symbol of [MATCH, MATCH_ALL, REPLACE, SEARCH, SPLIT]) {
    const native = proto[symbol];
    defineProperty(proto, symbol, {
      value: {
        [native.name](...args) {
          if (isRealRegExp(this) && (getOwnPropertyDescriptor(this, "exec") || getPrototypeOf(this) !== proto)) {
            const info = infoOf(this);
            if (info.plan.engine === "native") {
              const n = toText(args[0]).length + 1;
              const { work, degree } = info.plan;
              spend(floor(((work + 1) * n * n ** degree * (symbol === SPLIT ? 2 : 1)) / STRING_UNIT));
            }
          }
          return apply(native, this, args);
        },
      }[native.name],
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }

  // "text".match(pattern), matchAll and search turn a non-RegExp argument into a RegExp: through the plan here.
  for (const [name, symbol, flags] of [
    ["match", MATCH, undefined],
    ["matchAll", MATCH_ALL, "g"],
    ["search", SEARCH, undefined],
  ]) {
    const native = String.prototype[name];
    defineProperty(String.prototype, name, {
      value: {
        [name](regexp) {
          if (this === null || this === undefined) return apply(native, this, [regexp]);
          if (regexp !== null && regexp !== undefined && (typeof regexp === "object" || typeof regexp === "function")) {
            const method = regexp[symbol];
            if (method !== null && method !== undefined) {
              // matchAll refuses a non-global RegExp (V8 would check this before calling the method).
              if (flags === "g" && (isRealRegExp(regexp) || regexp[MATCH]) && !toText(regexp.flags).includes("g")) {
                throw new TypeError("String.prototype.matchAll called with a non-global RegExp argument");
              }
              return apply(method, regexp, [this]);
            }
          }
          const text = toText(this);
          const rx = construct(GuardedRegExp, [regexp === undefined ? "" : toText(regexp), flags]);
          return rx[symbol](text);
        },
      }[name],
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
}
