// Runs INSIDE the sandbox isolate: the metered built-ins, installed by runtime.js once run() has configured the
// sandbox with the host's selection, before the agent's code runs. Built-ins that loop over a huge length without
// calling back into agent code (`new Array(2 ** 32 - 1).indexOf(1)`, `Array.prototype.includes.call({ length: 2 ** 53
// - 1 })`, a large string rebuilt in an endless loop) charge the step budget in proportion to the work they do before
// they run: a scan by its length, what builds strings, values or copies by what V8 spends on them. Only those the
// code can reach by the names it spells are wrapped, or all when it computes names (src/sandbox/metered-selection.ts).
// The other guards are in sandbox-guards.js.
import { joinedValues, serializedValues } from "./plain-data.js";

// Everything the wrappers use at call time is bound here, before the agent's code can replace the globals.
const { apply, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
const isArray = Array.isArray;
const { floor, max, min, trunc } = Math;
const toNumber = Number;
const isNotANumber = Number.isNaN;
const toText = String;
const toObject = Object;
const createObject = Object.create;
const defineProperties = Object.defineProperties;
const { iterator: ITERATOR } = Symbol;
const stringIndexOf = String.prototype.indexOf;

/** Elements of an array (or characters of a string) a built-in may process per step of budget. */
const ARRAY_UNIT = 16;
export const STRING_UNIT = 64;
const MAX_ARRAY_LIKE_LENGTH = 2 ** 32 - 1;

/**
 * Wrapped methods waiting to be installed, by target. Each change to a built-in prototype costs V8 a map transition:
 * one defineProperties per target instead of one defineProperty per method about halves the cost of installing the
 * ~96 wrappers in a fresh context (measured in Node's V8: 0.38 ms -> 0.15 ms), paid by every execution.
 */
let pending = new Map();

/**
 * The metered methods this execution's code can reach, by name (null: all of them). The host reads every name the
 * code (and the skills it imports) spells and ships only the wrappers for those (src/sandbox/metered-selection.ts);
 * code that reads a property by a computed name, or through reflection, gets every wrapper.
 */
let selected = null;

/**
 * Replaces `target[name]` with a metered version (installed by installPending). `before(self, args)` charges the
 * budget and may return the arguments converted to primitives (so a valueOf or toString cannot report one size to
 * the meter and another to the engine); `after(result)` charges for what the call produced when its size is only
 * known afterwards.
 */
function wrap(target, name, before, after) {
  if (selected !== null && selected[name] !== true) return;
  const native = target[name];
  if (typeof native !== "function") return;
  const wrapper = {
    [name](...args) {
      const result = apply(native, this, before?.(this, args) ?? args);
      after?.(result);
      return result;
    },
  }[name];
  defineProperty(wrapper, "length", { value: native.length });
  let descriptors = pending.get(target);
  if (!descriptors) {
    descriptors = createObject(null);
    pending.set(target, descriptors);
  }
  descriptors[name] = { value: wrapper, writable: true, enumerable: false, configurable: true };
}

function installPending() {
  for (const [target, descriptors] of pending) defineProperties(target, descriptors);
  pending = new Map();
}

/** Where `length` comes from on an object: a getter could report one length to the meter and another to the engine. */
function lengthIsAccessor(object) {
  for (let o = object; o !== null; o = getPrototypeOf(o)) {
    const desc = getOwnPropertyDescriptor(o, "length");
    if (desc) return "get" in desc;
  }
  return false;
}

function toLength(value) {
  const n = trunc(toNumber(value));
  return isNotANumber(n) || n <= 0 ? 0 : min(n, 2 ** 53 - 1);
}

export const ARRAY_METHODS = [
  "concat",
  "copyWithin",
  "every",
  "fill",
  "filter",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "flat",
  "flatMap",
  "forEach",
  "includes",
  "indexOf",
  "join",
  "lastIndexOf",
  "map",
  "reduce",
  "reduceRight",
  "reverse",
  "shift",
  "slice",
  "some",
  "sort",
  "splice",
  "toLocaleString",
  "toReversed",
  "toSorted",
  "toSpliced",
  "toString",
  "unshift",
  "with",
];

/**
 * What array built-ins cost V8 beyond a scan (Node 22, warm, per element of a 1,000,000-element array: indexOf 0.4
 * ns, slice, reverse and Array.from 20 ns, concat 40 ns, Object.keys 95 ns, join 134-272 ns, flat 100-200 ns, a
 * default sort 35 ns per comparison, JSON.stringify 34 ns a value; a loop step is 1-4 ns). A scan is charged a step
 * per ARRAY_UNIT elements; the others as below.
 */
const COPYING_ARRAY_METHODS = new Set([
  "concat",
  "copyWithin",
  "fill",
  "reverse",
  "shift",
  "slice",
  "splice",
  "toReversed",
  "toSpliced",
  "unshift",
  "with",
]);
/** Copying: 4 steps an element, 64 per ARRAY_UNIT. Also Array.from and Object's key and value lists. */
const COPY_PER_UNIT = 64;
/** Steps per comparison of a sort without a comparator (a comparator's own calls are metered as calls). */
const SORT_COMPARISON_STEPS = 8;
/** Steps per value a join turns into text, a deep flat copies, and JSON.stringify writes. */
const JOIN_VALUE_STEPS = 32;
const FLAT_VALUE_STEPS = 32;
const STRINGIFY_VALUE_STEPS = 8;
/** `steps` per value for `values` values, counted in whole ARRAY_UNITs (fewer values cost nothing, as before). */
const perValues = (values, steps) => floor(values / ARRAY_UNIT) * ARRAY_UNIT * steps;
/** ceil(log2 n) for n >= 2. */
const ceilLog2 = (n) => {
  let bits = 0;
  for (let v = n - 1; v > 0; v = floor(v / 2)) bits++;
  return bits;
};

/** String methods that build a new string of every character of the receiver (a step per character). */
const COPYING = new Set([
  "localeCompare",
  "toLocaleLowerCase",
  "toLocaleUpperCase",
  "toLowerCase",
  "toUpperCase",
  "toWellFormed",
]);
/** Steps per character of building a string or a parsed value from text (JSON.parse, tool and gateway replies too). */
export const COPY_STEPS_PER_CHAR = 1;
const NORMALIZE_STEPS_PER_CHAR = 8;
/** Steps charged per piece a replaceAll or split at a string makes (40-160 ns each in V8, warm). */
const PIECE_STEPS = 32;
/** Receivers shorter than this are not searched for pieces first: at most this many pieces, charged by length. */
const COUNT_MATCHES_FROM = 4_096;

export const STRING_METHODS = [
  "endsWith",
  "includes",
  "indexOf",
  "lastIndexOf",
  "localeCompare",
  "normalize",
  "replace",
  "replaceAll",
  "split",
  "startsWith",
  "toLocaleLowerCase",
  "toLocaleUpperCase",
  "toLowerCase",
  "toUpperCase",
  "toWellFormed",
  "trim",
  "trimEnd",
  "trimStart",
];

/** Metered beyond the array and string methods: String.prototype's repeat and pads, JSON's, Object's lists, Array.from. */
export const OTHER_METHODS = [
  "repeat",
  "padStart",
  "padEnd",
  "parse",
  "stringify",
  "keys",
  "values",
  "entries",
  "getOwnPropertyNames",
  "from",
];

/**
 * Metered whatever the code names: the engine reaches them without the name being written. Converting an array to a
 * primitive (`"" + a`, a template, `String(a)`, a computed key, sort's comparisons) calls its toString, which calls
 * its join; toLocaleString calls each element's.
 */
export const ALWAYS_METERED = ["toString", "join", "toLocaleString"];

/**
 * Installs the metered built-ins: all of them, or (given `names`, an array) only those named there and
 * {@link ALWAYS_METERED}. Called once, before the agent's code runs (runtime.js configure).
 */
export function meterBuiltins(spend, names) {
  if (names !== undefined && names !== null) {
    selected = createObject(null);
    for (const name of ALWAYS_METERED) selected[name] = true;
    for (const name of names) if (typeof name === "string") selected[name] = true;
  }
  const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype);
  const typedLength = getOwnPropertyDescriptor(TypedArrayPrototype, "length").get;
  /** The length of a typed array from the engine's own getter, or undefined for anything else. */
  const typedLengthOf = (value) => {
    try {
      return apply(typedLength, value, []);
    } catch {
      return undefined;
    }
  };

  /**
   * The receiver's length, charged `perUnit` steps per whole ARRAY_UNIT elements (1: a scan), so that small arrays
   * (the guards' and the regex engine's own among them) cost nothing; returned.
   */
  const arrayCost = (self, perUnit = 1) => {
    if (self === null || self === undefined) return 0; // The native method throws its own TypeError.
    if (isArray(self)) {
      spend(floor(self.length / ARRAY_UNIT) * perUnit);
      return self.length;
    }
    const typed = typedLengthOf(self);
    if (typed !== undefined) {
      spend(floor(typed / ARRAY_UNIT) * perUnit);
      return typed;
    }
    const object = toObject(self);
    if (lengthIsAccessor(object)) {
      throw new TypeError("array methods on an object whose length is a getter are not supported in the sandbox");
    }
    const length = toLength(object.length);
    if (length > MAX_ARRAY_LIKE_LENGTH) {
      throw new RangeError(`array-like length ${length} is over ${MAX_ARRAY_LIKE_LENGTH}, the most an array can hold`);
    }
    spend(floor(length / ARRAY_UNIT) * perUnit);
    return length;
  };
  for (const name of ARRAY_METHODS) {
    if (name === "join" || name === "toLocaleString" || name === "flat" || name === "sort" || name === "toSorted") {
      continue;
    }
    const perUnit = COPYING_ARRAY_METHODS.has(name) ? COPY_PER_UNIT : 1;
    wrap(Array.prototype, name, (self) => void arrayCost(self, perUnit));
  }
  // Sorting compares about n log2 n times; without a comparator each comparison converts both values to strings.
  for (const name of ["sort", "toSorted"]) {
    wrap(Array.prototype, name, (self, args) => {
      const n = arrayCost(self, COPY_PER_UNIT);
      const perComparison = typeof args[0] === "function" ? 1 : SORT_COMPARISON_STEPS;
      if (n >= ARRAY_UNIT) spend(floor(n * ceilLog2(n) * perComparison));
      return undefined;
    });
  }
  // flat(depth > 1) copies nested arrays recursively, each copy of a shared one again (`a = [a, a]`, flat(Infinity)).
  wrap(Array.prototype, "flat", (self, args) => {
    arrayCost(self, COPY_PER_UNIT);
    if (args.length === 0 || args[0] === undefined) return undefined;
    const depth = toNumber(args[0]);
    if (isArray(self) && depth > 1) spend(perValues(joinedValues(self), FLAT_VALUE_STEPS));
    return [depth];
  });
  // Joining nests: an element that is an array is joined too, each copy of a shared one again. Charge for every
  // value the native join will visit (counted reading each array once) before it runs: each becomes a string.
  // toString calls join.
  for (const name of ["join", "toLocaleString"]) {
    wrap(Array.prototype, name, (self) => {
      arrayCost(self);
      if (isArray(self)) spend(perValues(joinedValues(self), JOIN_VALUE_STEPS));
      return undefined;
    });
  }

  // Typed arrays lack some array methods (wrap skips those); their length comes from the native getter.
  for (const name of ARRAY_METHODS) {
    wrap(TypedArrayPrototype, name, (self) => void spend(floor(apply(typedLength, self, []) / ARRAY_UNIT)));
  }

  // String methods convert `this` once themselves; a receiver that is already a string cannot lie about its length.
  // Searching is charged a step per STRING_UNIT characters; building a new string of every character costs V8 about a
  // hundred times more (Node 22: indexOf 0.06 ns a character, toLowerCase 3.4, toUpperCase 5.5, normalize 31,
  // against 1-4 ns a loop step), and so does each piece of a replaceAll or split (40-160 ns a piece).
  const stringCost = (self) => {
    if (typeof self === "string") spend(floor(self.length / STRING_UNIT));
    return undefined;
  };
  const copyCost = (self) => {
    if (typeof self === "string") spend(self.length * COPY_STEPS_PER_CHAR);
    return undefined;
  };
  const normalizeCost = (self) => {
    if (typeof self === "string") spend(self.length * NORMALIZE_STEPS_PER_CHAR);
    return undefined;
  };
  // The pieces of `self` split at a string `search`, counted before the native method builds them (only for long
  // receivers: a short one cannot hold many), charged as they are counted so the count stops with the budget.
  const piecesCost = (self, [search]) => {
    stringCost(self);
    if (typeof self !== "string" || self.length < COUNT_MATCHES_FROM || typeof search !== "string") return undefined;
    const step = search.length > 0 ? search.length : 1;
    let pending = 0;
    for (
      let at = apply(stringIndexOf, self, [search, 0]);
      at !== -1;
      at = apply(stringIndexOf, self, [search, at + step])
    ) {
      if (++pending === 1024) {
        spend(pending * PIECE_STEPS);
        pending = 0;
      }
      if (at + step > self.length) break;
    }
    spend(pending * PIECE_STEPS);
    return undefined;
  };
  for (const name of STRING_METHODS) {
    const cost = COPYING.has(name)
      ? copyCost
      : name === "normalize"
        ? normalizeCost
        : name === "replaceAll" || name === "split"
          ? piecesCost
          : stringCost;
    wrap(String.prototype, name, cost);
  }
  const primitive = (value) => (value !== null && typeof value === "object" ? toNumber(value) : value);
  wrap(String.prototype, "repeat", (self, [count]) => {
    const n = primitive(count);
    if (typeof self === "string") spend(floor((self.length * max(0, toNumber(n) || 0)) / STRING_UNIT));
    return [n];
  });
  for (const name of ["padStart", "padEnd"]) {
    wrap(String.prototype, name, (_self, [target, filler]) => {
      const n = primitive(target);
      spend(floor(max(0, toNumber(n) || 0) / STRING_UNIT));
      return [n, filler];
    });
  }
  // Parsing builds a value from every character: 3-8 ns a character in V8, a step each (as case mapping).
  wrap(JSON, "parse", (_self, [text, reviver]) => {
    const source = toText(text);
    spend(source.length * COPY_STEPS_PER_CHAR);
    return [source, reviver];
  });
  // A shared object is serialized at every place it appears: charge for the values the native walk will visit
  // (counted reading each object once) before it runs, or `n = {a: n, b: n}` 40 times is 2^40 values of unmetered
  // work. A replacer function is the agent's code, called (and metered) for every value.
  wrap(
    JSON,
    "stringify",
    (_self, [value, replacer]) => {
      if (typeof replacer !== "function") spend(perValues(serializedValues(value), STRINGIFY_VALUE_STEPS));
      return undefined;
    },
    (json) => {
      if (typeof json === "string") spend(floor(json.length / STRING_UNIT));
    },
  );
  const listCost = (list) => spend(floor(list.length / ARRAY_UNIT) * COPY_PER_UNIT);
  for (const name of ["keys", "values", "entries", "getOwnPropertyNames"]) wrap(Object, name, undefined, listCost);
  // Array.from over an array-like (no iterator) loops over its length before anything can be charged afterwards.
  wrap(
    Array,
    "from",
    (_self, [items]) => {
      if (items !== null && typeof items === "object" && items[ITERATOR] === undefined) arrayCost(items, COPY_PER_UNIT);
      return undefined;
    },
    listCost,
  );
  installPending();
}
