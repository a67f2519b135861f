// Runs INSIDE the sandbox isolate: the metered built-ins, installed by runtime.js once run() has configured the
// sandbox with the host's selection, before the agent's code runs. Built-ins that loop over a huge length without
// calling back into agent code (`new Array(2 ** 32 - 1).indexOf(1)`, `Array.prototype.includes.call({ length: 2 ** 53
// - 1 })`, a large string rebuilt in an endless loop) charge the step budget in proportion to the work they do before
// they run: a scan by its length, what builds strings, values or copies by what V8 spends on them. Only those the
// code can reach by the names it spells are wrapped, or all when it computes names (src/sandbox/metered-selection.ts).
// The other guards are in sandbox-guards.js.
import { installMoreMetered } from "./metered-more.js";
import { joinedValues } from "./plain-data.js";

// Everything the wrappers use at call time is bound here, before the agent's code can replace the globals.
const { apply, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Reflect;
const isArray = Array.isArray;
const { floor, min, trunc } = Math;
const toNumber = Number;
const isNotANumber = Number.isNaN;
const toObject = Object;
const createObject = Object.create;
const defineProperties = Object.defineProperties;

/** Elements of an array (or characters of a string) a built-in may process per step of budget. */
const ARRAY_UNIT = 16;
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

/** Steps per value a join turns into text (metered-more.js has the other methods' costs). */
const JOIN_VALUE_STEPS = 32;
/** `steps` per value for `values` values, counted in whole ARRAY_UNITs (fewer values cost nothing, as before). */
const perValues = (values, steps) => floor(values / ARRAY_UNIT) * ARRAY_UNIT * steps;
/** Steps per character of building a string or a parsed value from text (JSON.parse, tool and gateway replies too). */
export const COPY_STEPS_PER_CHAR = 1;

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
  /** Whether a method beyond ALWAYS_METERED is reachable: then metered-more.js wraps it. */
  let more = true;
  if (names !== undefined && names !== null) {
    selected = createObject(null);
    for (const name of ALWAYS_METERED) selected[name] = true;
    more = false;
    for (const name of names) {
      if (typeof name !== "string" || selected[name] === true) continue;
      selected[name] = true;
      more = true;
    }
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
  // An array's toString scans it (and calls its join, wrapped below); a typed array's length is the engine's.
  wrap(Array.prototype, "toString", (self) => void arrayCost(self));
  // Joining nests: an element that is an array is joined too, each copy of a shared one again. Charge for every
  // value the native join will visit (counted reading each array once) before it runs: each becomes a string.
  for (const name of ["join", "toLocaleString"]) {
    wrap(Array.prototype, name, (self) => {
      arrayCost(self);
      if (isArray(self)) spend(perValues(joinedValues(self), JOIN_VALUE_STEPS));
      return undefined;
    });
  }
  for (const name of ALWAYS_METERED) {
    wrap(TypedArrayPrototype, name, (self) => void spend(floor(apply(typedLength, self, []) / ARRAY_UNIT)));
  }
  if (more) {
    installMoreMetered({
      __proto__: null,
      wrap,
      spend,
      arrayCost,
      perValues,
      typedLength,
      TypedArrayPrototype,
      always: new Set(ALWAYS_METERED),
    });
  }
  installPending();
}
