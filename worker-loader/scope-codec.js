// Runs INSIDE the sandbox isolate (and in unit tests under Node): the structured encoding of carried top-level
// variables (src/scope/). JSON carries most values as themselves; what JSON cannot carry travels as a tagged object
// `{ "$cg": tag, ... }`, and a plain object that itself has a `$cg` key is wrapped so it can never be mistaken for a
// tag. Every walk is iterative-free recursion bounded by MAX_DEPTH and charged per node through `charge`, so a
// value built to blow up a walk (a DAG of shared references, a deep chain) costs the agent's own step budget and
// stops at the node cap instead of stalling the isolate.

const MAX_DEPTH = 200;
const TAG = "$cg";
const TYPED_ARRAYS = [
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
];
const { stringify: stringifyJson, parse: parseJson } = JSON;
const { getPrototypeOf, keys: objectKeys, hasOwn } = Object;
const { isArray } = Array;
const { ceil } = Math;

/** Why a value cannot be carried; the message names what to do instead. */
export class Unstorable extends Error {}

/**
 * The value's encoding is longer than `budget.bytes`: thrown as soon as a lower bound of its length passes it, so a
 * huge value is refused without being encoded (scope.js words the reason, since it knows which limit that was).
 * `atLeast`: the encoding has at least this many characters (and as many UTF-8 bytes).
 */
export class TooLarge extends Unstorable {
  constructor(atLeast) {
    super(`its value is at least ${atLeast} bytes encoded`);
    this.atLeast = atLeast;
  }
}

function bytesToBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function number(value) {
  if (Number.isNaN(value)) return { [TAG]: "num", v: "NaN" };
  if (value === Number.POSITIVE_INFINITY) return { [TAG]: "num", v: "Infinity" };
  if (value === Number.NEGATIVE_INFINITY) return { [TAG]: "num", v: "-Infinity" };
  if (Object.is(value, -0)) return { [TAG]: "num", v: "-0" };
  return value;
}

/** Characters of base64 for `n` bytes. */
const base64Length = (n) => 4 * ceil(n / 3);

/**
 * Encodes `value` as JSON text, or throws {@link Unstorable}. `budget.nodes` is how many nodes may still be
 * visited (shared references are encoded once per path, so a DAG is charged for every path it unfolds to);
 * `budget.bytes` (optional) is the longest encoding accepted, in characters: the walk counts a lower bound of the
 * encoding's length as it goes and throws {@link TooLarge} once that passes it, before any string is built (a
 * string or typed array is refused by its length alone, before it is copied), so the work stays proportional to the
 * limit, whatever the value's size. `charge(n)` bills the agent's step budget and may throw when it is spent.
 */
export function encodeScopeValue(value, budget, charge) {
  const onPath = new Set();
  const limit = typeof budget.bytes === "number" && budget.bytes >= 0 ? budget.bytes : Number.POSITIVE_INFINITY;
  let atLeast = 0;
  /** Counts `n` more characters of the encoding (each costs at least one UTF-8 byte). */
  const add = (n) => {
    atLeast += n;
    if (atLeast > limit) throw new TooLarge(atLeast);
  };
  const visit = (v, depth) => {
    if (--budget.nodes < 0) {
      throw new Unstorable(`it has more than ${budget.max} parts (shared references count once per path)`);
    }
    charge(1);
    switch (typeof v) {
      case "string":
        // Its quotes and characters; escapes only add. Each container counts its own brackets and commas.
        add(v.length + 2);
        return v;
      case "boolean":
        add(4);
        return v;
      case "number":
        add(1);
        return number(v);
      case "undefined":
        add(15);
        return { [TAG]: "undef" };
      case "bigint": {
        const text = v.toString();
        add(text.length + 18);
        return { [TAG]: "big", v: text };
      }
      case "function":
        throw new Unstorable("it holds a function value (only top-level function declarations are carried)");
      case "symbol":
        throw new Unstorable("it holds a symbol");
    }
    if (v === null) {
      add(4);
      return null;
    }
    if (depth > MAX_DEPTH) throw new Unstorable(`it is nested deeper than ${MAX_DEPTH} levels`);
    if (onPath.has(v)) throw new Unstorable("it contains a cycle");
    if (typeof v.then === "function") {
      throw new Unstorable(
        depth > 0
          ? "it contains a promise (an array of them: await Promise.all(…) before the execution ends)"
          : "it is a promise or thenable (await it before the execution ends)",
      );
    }
    onPath.add(v);
    try {
      if (isArray(v)) {
        add(v.length + 1);
        const out = new Array(v.length);
        charge(v.length);
        for (let i = 0; i < v.length; i++) out[i] = visit(v[i], depth + 1);
        return out;
      }
      const proto = getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) {
        const names = objectKeys(v);
        charge(names.length);
        add(names.length + 1);
        const out = {};
        for (const name of names) {
          add(name.length + 3);
          // defineProperty: a key named "__proto__" stays an own data property.
          Object.defineProperty(out, name, { value: visit(v[name], depth + 1), enumerable: true, writable: true });
        }
        return hasOwn(out, TAG) ? { [TAG]: "obj", v: out } : out;
      }
      add(20);
      if (v instanceof Date) return { [TAG]: "date", v: Number.isNaN(v.getTime()) ? null : v.getTime() };
      if (v instanceof RegExp) {
        const source = v.source;
        add(source.length);
        return { [TAG]: "re", s: source, f: v.flags };
      }
      if (v instanceof Map) {
        const out = [];
        for (const [k, item] of v) out.push([visit(k, depth + 1), visit(item, depth + 1)]);
        return { [TAG]: "map", v: out };
      }
      if (v instanceof Set) {
        const out = [];
        for (const item of v) out.push(visit(item, depth + 1));
        return { [TAG]: "set", v: out };
      }
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const name = v.constructor?.name;
        if (!TYPED_ARRAYS.includes(name)) throw new Unstorable("it holds an unsupported typed array");
        add(base64Length(v.byteLength) + name.length);
        charge(v.byteLength >> 6);
        return { [TAG]: "typed", c: name, v: bytesToBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
      }
      if (v instanceof ArrayBuffer) {
        add(base64Length(v.byteLength));
        charge(v.byteLength >> 6);
        return { [TAG]: "buf", v: bytesToBase64(new Uint8Array(v)) };
      }
      // "an instance of X" reads right whatever X is (an Error, a URL); X is the program's name, so it is cut.
      const name = v.constructor?.name;
      const kind =
        typeof name === "string" && name !== "" ? (name.length > 100 ? `${name.slice(0, 100)}…` : name) : "a class";
      throw new Unstorable(`it holds an instance of ${kind} (carry plain data, or re-create it from a declaration)`);
    } finally {
      onPath.delete(v);
    }
  };
  const json = stringifyJson(visit(value, 0));
  // The exact length: escapes the lower bound did not count. Building the text cost no more than a few times the
  // limit, since the bound held until here.
  if (json.length > limit) throw new TooLarge(json.length);
  charge(json.length >> 6);
  return json;
}

/** Decodes what {@link encodeScopeValue} produced. The text comes from the host, which stored it. */
export function decodeScopeValue(text) {
  const revivePlain = (v) => {
    const out = {};
    for (const name of objectKeys(v)) {
      Object.defineProperty(out, name, {
        value: revive(v[name]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  const revive = (v) => {
    if (v === null || typeof v !== "object") return v;
    if (isArray(v)) return v.map(revive);
    if (!hasOwn(v, TAG)) return revivePlain(v);
    switch (v[TAG]) {
      case "undef":
        return undefined;
      case "num":
        return Number(v.v);
      case "big":
        return BigInt(v.v);
      case "date":
        return new Date(v.v === null ? Number.NaN : v.v);
      case "re":
        return new RegExp(v.s, v.f);
      case "map":
        return new Map(v.v.map(([k, item]) => [revive(k), revive(item)]));
      case "set":
        return new Set(v.v.map(revive));
      case "typed": {
        const bytes = base64ToBytes(v.v);
        const Ctor = globalThis[TYPED_ARRAYS.includes(v.c) ? v.c : "Uint8Array"];
        return new Ctor(bytes.buffer, 0, bytes.byteLength / (Ctor.BYTES_PER_ELEMENT || 1));
      }
      case "buf":
        return base64ToBytes(v.v).buffer;
      case "obj":
        // The wrapped object's own `$cg` key is data, not a tag.
        return revivePlain(v.v);
      default:
        throw new TypeError(`unknown carried value tag ${stringifyJson(v[TAG])}`);
    }
  };
  return revive(parseJson(text));
}
