// Runs INSIDE the sandbox isolate. The runtime's own walks over values the agent hands it: the plain-data check of
// tool arguments and gateway operations, and the conversion of logged and returned values to JSON.
//
// A shared object is one object but JSON copies it wherever it appears: `n = {a: n, b: n}` 24 times is 25 objects
// and 2^24 values once serialized. A walk that follows references as a tree, or a native JSON.stringify after it,
// would do exponential work no step guard sees. So every walk here visits each object once, computes how many
// values and characters the serialized form will hold, charges the step budget for them, and refuses (arguments) or
// cuts (logs, results) what goes past its cap. Shared references stay allowed: they are copied, as JSON does.
//
// Everything used at call time is bound here, before the agent's code can replace the globals.

const isArray = Array.isArray;
const getPrototypeOf = Object.getPrototypeOf;
const objectKeys = Object.keys;
const createObject = Object.create;
const isFiniteNumber = Number.isFinite;
const isNotANumber = Number.isNaN;
const ObjectPrototype = Object.prototype;
const NativeMap = Map;
const NativeSet = Set;
const { get: mapGet, set: mapSet, has: mapHas } = Map.prototype;
const { add: setAdd, delete: setDelete, has: setHas } = Set.prototype;
const { apply } = Reflect;
const fromEntries = Object.fromEntries;
const isView = ArrayBuffer.isView;
const DateClass = Date;
const ErrorClass = Error;
const NativeTypeError = TypeError;
const { defineProperty } = Reflect;
/** `list[list.length] = value` as an own element: a plain assignment would call a setter the agent put on Array.prototype. */
const append = (list, value) =>
  defineProperty(list, list.length, { __proto__: null, value, writable: true, enumerable: true, configurable: true });
const DatePrototype = Date.prototype;
const dateTime = Date.prototype.getTime;
const dateIso = Date.prototype.toISOString;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const arrayFrom = Array.from;
const stringSlice = String.prototype.slice;
const toText = String;
const floor = Math.floor;

/** Deepest nesting a walk follows. */
export const MAX_DEPTH = 200;
/** Values (objects, arrays and primitives, each copy of a shared one counted) tool arguments and state may hold. */
export const MAX_PLAIN_VALUES = 1_000_000;
/** Characters of strings and keys (each copy counted) tool arguments and state may hold. */
export const MAX_PLAIN_CHARS = 16 * 1024 * 1024;
/** Values per JSON-safe conversion of one logged argument, and of the returned value. */
export const MAX_LOG_VALUES = 10_000;
export const MAX_RESULT_VALUES = 100_000;
/** Nesting serializedValues follows (deeper, JSON.stringify itself overflows the stack and throws). */
const MAX_STRINGIFY_DEPTH = 2_000;
const MAX_SAFE = 2 ** 53;
/** Values a walk may visit per step of budget. */
const VALUES_PER_STEP = 16;

const has = (map, key) => apply(mapHas, map, [key]);
const get = (map, key) => apply(mapGet, map, [key]);
const put = (map, key, value) => apply(mapSet, map, [key, value]);

/** Longest path shown in a refusal: a value 200 levels deep would otherwise be named by 400 characters of `/0`. */
const MAX_PATH_SHOWN = 120;

/** The JSON pointer of a refused value, for its message: the root is `/`, a long path keeps both ends. */
function where(path) {
  if (!path) return "/";
  if (path.length <= MAX_PATH_SHOWN) return path;
  const half = MAX_PATH_SHOWN / 2;
  return `${apply(stringSlice, path, [0, half])}…${apply(stringSlice, path, [-half])}`;
}

/**
 * Returns a snapshot of `value` made only of plain arrays, prototype-less objects and JSON primitives, or throws a
 * TypeError naming the path of what JSON cannot carry faithfully, or saying that the serialized form would exceed
 * MAX_PLAIN_VALUES values or MAX_PLAIN_CHARS characters. Each distinct object is read once (its getters and proxy
 * traps run once) and copied once: a shared object stays shared in the snapshot, so serializing the snapshot reads
 * nothing of the agent's again and does exactly the work measured here. `spend(n)` is charged one step per
 * VALUES_PER_STEP values, distinct and serialized. A refusal starts with `prefix` (the call it refuses, for a gateway
 * operation) and says functions and symbols cannot be `target` ("passed to tools", "stored in state").
 */
export function toPlain(value, spend, prefix = "", target = "passed to tools") {
  const copies = new NativeMap();
  const ancestors = new NativeSet();
  let visited = 0;
  const refuse = (path, text) => new NativeTypeError(`${prefix}${where(path)}: ${text}`);
  const tooBig = (path) =>
    refuse(
      path,
      `serialized, this value holds more than ${MAX_PLAIN_VALUES} values or ${MAX_PLAIN_CHARS} ` +
        "characters (an object referenced in several places is copied at each); send less data per call",
    );

  /** Copies `v` and returns { copy, values, chars, height } of its serialized form, or throws. */
  const walk = (v, path, depth) => {
    if (++visited % VALUES_PER_STEP === 0) spend(1);
    if (depth > MAX_DEPTH) throw refuse(path, `nested deeper than ${MAX_DEPTH} levels`);
    switch (typeof v) {
      case "string":
        return { copy: v, values: 1, chars: v.length, height: 0 };
      case "boolean":
      case "undefined":
        return { copy: v, values: 1, chars: 0, height: 0 };
      case "number":
        if (!isFiniteNumber(v)) throw refuse(path, `${v} is not a JSON number`);
        return { copy: v, values: 1, chars: 0, height: 0 };
      case "bigint":
        throw refuse(path, "BigInt is not JSON; pass it as a string or number");
      case "function":
        throw refuse(path, `functions cannot be ${target}`);
      case "symbol":
        throw refuse(path, `symbols cannot be ${target}`);
    }
    if (v === null) return { copy: null, values: 1, chars: 0, height: 0 };
    if (has(copies, v)) {
      const known = get(copies, v);
      if (depth + known.height > MAX_DEPTH) throw refuse(path, `nested deeper than ${MAX_DEPTH} levels`);
      return known;
    }
    if (apply(setHas, ancestors, [v])) throw refuse(path, "cyclic structure");
    const array = isArray(v);
    const proto = getPrototypeOf(v);
    // Said with the conversion: a Date is the non-JSON value code most often hands over (judged by its prototype,
    // bound at load: the agent can redefine Date[Symbol.hasInstance]).
    if (proto === DatePrototype) {
      throw refuse(
        path,
        "Date is not plain JSON: convert it first, date.toISOString() for text (new Date(text) reads it back) or date.getTime() for milliseconds",
      );
    }
    if (!array && proto !== ObjectPrototype && proto !== null) {
      let kind = "object";
      try {
        kind = v.constructor?.name ?? "object";
      } catch {}
      throw refuse(path, `${kind} is not plain JSON (use plain objects, arrays, strings, numbers)`);
    }
    apply(setAdd, ancestors, [v]);
    const copy = array ? [] : createObject(null);
    const node = { copy, values: 1, chars: 0, height: 0 };
    const keys = objectKeys(v);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const child = walk(v[key], `${path}/${key}`, depth + 1);
      // An own data property even for "__proto__" (the copy has no prototype, so no setter intercepts it).
      copy[key] = child.copy;
      node.values += child.values;
      node.chars += key.length + child.chars;
      if (child.height + 1 > node.height) node.height = child.height + 1;
      if (node.values > MAX_PLAIN_VALUES || node.chars > MAX_PLAIN_CHARS) throw tooBig(path);
    }
    apply(setDelete, ancestors, [v]);
    put(copies, v, node);
    return node;
  };

  const root = walk(value, "", 0);
  // The JSON.stringify that follows does this much work, beyond the distinct values visited above.
  spend(floor(root.values / VALUES_PER_STEP) + floor(root.chars / (VALUES_PER_STEP * 4)));
  return root.copy;
}

/**
 * Turns any value into JSON-safe data: cycles, BigInt, Map, Set, Date and Errors become readable stand-ins. At most
 * `maxValues` values are produced (each copy of a shared object counted); the rest become a marker. `spend(n)`, if
 * given, is charged one step per VALUES_PER_STEP values.
 */
export function toJsonSafe(value, maxValues = MAX_RESULT_VALUES, spend = undefined) {
  let produced = 0;
  const seen = new NativeSet();
  const convert = (v, depth) => {
    if (++produced > maxValues) return `[Truncated: more than ${maxValues} values]`;
    if (spend && produced % VALUES_PER_STEP === 0) spend(1);
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return isFiniteNumber(v) ? v : toText(v);
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "undefined") return null;
    if (typeof v === "function") return `[Function ${v.name || "anonymous"}]`;
    if (typeof v === "symbol") return v.toString();
    if (depth > MAX_DEPTH) return "[Nested too deep]";
    if (apply(setHas, seen, [v])) return "[Circular]";
    apply(setAdd, seen, [v]);
    try {
      if (v instanceof DateClass) {
        const time = apply(dateTime, v, []);
        return isNotANumber(time) ? "Invalid Date" : apply(dateIso, v, []);
      }
      if (v instanceof ErrorClass) return { name: v.name, message: v.message };
      if (v instanceof NativeMap) return convert(fromEntries(apply(mapEntries, v, [])), depth + 1);
      if (v instanceof NativeSet) return convert(arrayFrom(apply(setValues, v, [])), depth + 1);
      if (isView(v)) return `[${v.constructor.name} of ${v.byteLength} bytes]`;
      if (isArray(v)) {
        const out = [];
        for (let i = 0; i < v.length; i++) {
          append(out, convert(v[i], depth + 1));
          if (produced > maxValues) break;
        }
        return out;
      }
      // Prototype-less, so a "__proto__" key is copied as data instead of replacing the prototype.
      const out = createObject(null);
      const keys = objectKeys(v);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        out[key] = convert(v[key], depth + 1);
        if (produced > maxValues) break;
      }
      return out;
    } finally {
      apply(setDelete, seen, [v]);
    }
  };
  return convert(value, 0);
}

/**
 * How many values JSON.stringify would visit for `value` (each copy of a shared object counted), computed reading
 * each distinct object once. Objects with a toJSON method count as one (what toJSON returns is the agent's code).
 * Saturates at 2^53. Used to charge the agent's own JSON.stringify before the native walk runs.
 */
export function serializedValues(value) {
  const counts = new NativeMap();
  const ancestors = new NativeSet();
  const count = (v, depth) => {
    if (v === null || typeof v !== "object" || depth > MAX_STRINGIFY_DEPTH) return 1;
    if (has(counts, v)) return get(counts, v);
    // A cycle makes JSON.stringify throw at once; count it as one value.
    if (apply(setHas, ancestors, [v])) return 1;
    if (typeof v.toJSON === "function") return 1;
    apply(setAdd, ancestors, [v]);
    let total = 1;
    const keys = objectKeys(v);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      total += count(v[key], depth + 1);
      if (total > MAX_SAFE) total = MAX_SAFE;
    }
    apply(setDelete, ancestors, [v]);
    put(counts, v, total);
    return total;
  };
  return count(value, 0);
}

/**
 * How many values Array.prototype.join (and toString, which calls it) visits for `array`: nested arrays are joined
 * recursively, each copy of a shared one again, so `a = [a, a]` 40 times is 2^40 values of native work. Counted
 * reading each distinct array once; cycles count as one (V8 joins them as ""). Saturates at 2^53.
 */
export function joinedValues(array) {
  const counts = new NativeMap();
  const ancestors = new NativeSet();
  const count = (v, depth) => {
    if (!isArray(v) || depth > MAX_STRINGIFY_DEPTH) return 1;
    if (has(counts, v)) return get(counts, v);
    if (apply(setHas, ancestors, [v])) return 1;
    apply(setAdd, ancestors, [v]);
    let total = 1;
    // The caller has charged the budget for this length already (metered-builtins.js arrayCost).
    const length = v.length;
    for (let i = 0; i < length && total < MAX_SAFE; i++) total += count(v[i], depth + 1);
    apply(setDelete, ancestors, [v]);
    put(counts, v, total);
    return total;
  };
  return count(array, 0);
}
