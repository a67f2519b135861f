// Runs INSIDE the sandbox isolate: the metered built-ins beyond the three every program gets (toString, join and
// toLocaleString, in metered-builtins.js), installed by its meterBuiltins before the agent's code runs. Shipped only
// when the code can reach one of them (src/sandbox/isolate-modules.ts; `metered-more-none.js` otherwise): workerd
// compiles every module an isolate is given, and a program that names none of these methods is spared their code.
// What each wrapper charges, and why, is described in metered-builtins.js.
import { joinedValues, serializedValues } from "./plain-data.js";

// Everything the wrappers use at call time is bound here, before the agent's code can replace the globals.
const { apply } = Reflect;
const isArray = Array.isArray;
const { floor, max } = Math;
const toNumber = Number;
const toText = String;
const { iterator: ITERATOR } = Symbol;
const stringIndexOf = String.prototype.indexOf;

/** Elements of an array (or characters of a string) a built-in may process per step of budget. */
const ARRAY_UNIT = 16;
const STRING_UNIT = 64;
/** Steps per character of building a string or a parsed value from text (as runtime.js charges tool replies). */
const COPY_STEPS_PER_CHAR = 1;
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
/** Steps per value a deep flat copies, and JSON.stringify writes (a join: metered-builtins.js). */
const FLAT_VALUE_STEPS = 32;
const STRINGIFY_VALUE_STEPS = 8;
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
 * Wraps every metered method but `kit.always` with `kit.wrap` (which skips the names the host did not select and
 * queues the rest for metered-builtins.js to install). `kit`: `wrap(target, name, before, after)`, `spend(n)`,
 * `arrayCost(self, perUnit)` (the receiver's length, charged), `perValues(values, steps)`, `typedLength` (the engine's
 * getter), `TypedArrayPrototype`, and `always` (the names metered-builtins.js wraps itself).
 */
export function installMoreMetered(kit) {
  const { wrap, spend, arrayCost, perValues, typedLength, TypedArrayPrototype, always } = kit;
  for (const name of ARRAY_METHODS) {
    if (always.has(name) || name === "flat" || name === "sort" || name === "toSorted") {
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
  // Typed arrays lack some array methods (wrap skips those); their length comes from the native getter.
  for (const name of ARRAY_METHODS) {
    if (always.has(name)) continue;
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
}
