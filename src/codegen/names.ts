/**
 * Names the sandbox sees: upstream server and tool names (untrusted, arbitrary strings) turned into JavaScript
 * identifiers that are safe as `export const` names, as module path segments and as keys of plain objects.
 *
 * Identifier rule (the same for server names and tool names):
 *
 * 1. Every run of characters outside `[A-Za-z0-9_$]` (non-ASCII included) becomes a single `_`.
 * 2. An empty result becomes `_`; a result that starts with a digit gets a `_` prefix.
 * 3. A result longer than 64 characters is cut to its first 57 and gets `_` plus 6 hex digits of a stable
 *    hash of the original name appended (64 characters in all).
 * 4. An ECMAScript reserved or strict-mode word (`class`, `default`, `await`, `let`, …) or a dangerous name
 *    (`__proto__`, `constructor`, `prototype`, `then`, `toString`, `valueOf`, `hasOwnProperty` and the other
 *    `Object.prototype` members, `eval`, `arguments`, `undefined`, `NaN`, `Infinity`, and `call`, the
 *    binding module's own import) gets a trailing `_`.
 *
 * Within one namespace (`assignIdentifiers`), names are given identifiers collision-free and deterministically:
 *
 * 5. A name that already equals its own identifier keeps it (`read_file` stays `read_file`).
 * 6. Every other name takes its identifier when no name of step 5 holds it; several names with the same
 *    identifier are served in code-unit order of the original names, the first one keeps it.
 * 7. A name whose identifier is still taken, or is in the caller's reserved set, gets `_` plus 6 hex digits of
 *    the hash of its ORIGINAL name appended (the identifier cut to 57 characters first), so its identifier
 *    depends on its own name only: adding or removing another tool never renames it.
 *
 * The hash is FNV-1a (32 bit) over the UTF-8 bytes followed by the murmur3 finalizer; its first 6 hex digits
 * are used. On the (vanishingly rare) clash of step 7 the hash of `name + "\u0000" + n` is used for n = 1, 2, …
 */

/** Longest identifier produced. */
export const MAX_IDENTIFIER_LENGTH = 64;

/** ECMAScript reserved words (any mode) and strict-mode reserved words, plus `await` (reserved in modules). */
const RESERVED_WORDS = [
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "implements",
  "interface",
  "let",
  "package",
  "private",
  "protected",
  "public",
  "static",
];

/** Members every object inherits from Object.prototype, as TypeScript's `Object` interface declares them. */
export const OBJECT_INTERFACE_MEMBERS: readonly string[] = [
  "constructor",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
];

/**
 * Names that are legal identifiers but dangerous as exports or object keys: prototype plumbing, thenables
 * (an exported `then` makes the module namespace look like a promise), names strict mode forbids as bindings,
 * global values that must not be shadowed, and `call`, which the generated binding module imports.
 */
const DANGEROUS_NAMES = [
  "__proto__",
  "prototype",
  "then",
  ...OBJECT_INTERFACE_MEMBERS,
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "eval",
  "arguments",
  "undefined",
  "NaN",
  "Infinity",
  "call",
];

const AVOIDED = new Set<string>([...RESERVED_WORDS, ...DANGEROUS_NAMES]);
const INVALID_RUN = /[^A-Za-z0-9_$]+/g;
const HASH_SUFFIX_KEEP = MAX_IDENTIFIER_LENGTH - 7;
const encoder = new TextEncoder();

/** Stable 6-hex-digit hash of a string (FNV-1a 32 over UTF-8, murmur3 finalizer). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0).toString(16).padStart(8, "0").slice(0, 6);
}

/** Applies rules 1-4 of the identifier rule (see the module comment): any string to a safe JS identifier. */
export function toIdentifier(name: string): string {
  const text = String(name);
  let id = text.replace(INVALID_RUN, "_");
  if (id === "") id = "_";
  if (id.charCodeAt(0) >= 48 && id.charCodeAt(0) <= 57) id = `_${id}`;
  if (id.length > MAX_IDENTIFIER_LENGTH) id = withSuffix(id, shortHash(text));
  if (AVOIDED.has(id)) id = `${id}_`;
  return id;
}

/** True when `id` is a fixed point of `toIdentifier`: valid, not reserved, not dangerous, not too long. */
export function isSafeIdentifier(id: string): boolean {
  return typeof id === "string" && toIdentifier(id) === id;
}

/** Options of `assignIdentifiers`. */
export interface AssignIdentifiersOptions {
  /** Identifiers no name may receive (for example names the caller already uses in the same scope). */
  reserved?: ReadonlySet<string>;
}

/**
 * Maps every name of one namespace to a distinct identifier, following rules 5-7 of the identifier rule (see
 * the module comment). The identifiers do not depend on the order of `names` (the map iterates in it);
 * duplicates share one entry.
 */
export function assignIdentifiers(
  names: readonly string[],
  options: AssignIdentifiersOptions = {},
): Map<string, string> {
  const reserved = options.reserved ?? new Set<string>();
  const unique = [...new Set(names)].sort();
  const taken = new Set<string>(reserved);
  const result = new Map<string, string>();

  // Rule 5: names that are their own identifier. They cannot collide with each other (they are distinct).
  for (const name of unique) {
    if (toIdentifier(name) === name && !reserved.has(name)) {
      result.set(name, name);
      taken.add(name);
    }
  }
  // Rule 6: plain identifiers for the rest, in sorted order; bases are handed out before any hashed
  // identifier so a hashed one can never take a base another name would have kept.
  const pending: string[] = [];
  for (const name of unique) {
    if (result.has(name)) continue;
    const id = toIdentifier(name);
    if (taken.has(id)) {
      pending.push(name);
    } else {
      result.set(name, id);
      taken.add(id);
    }
  }
  // Rule 7: hashed identifiers, derived from the original name only.
  for (const name of pending) {
    const base = toIdentifier(name);
    let id = withSuffix(base, shortHash(name));
    for (let n = 1; taken.has(id); n++) id = withSuffix(base, shortHash(`${name}\u0000${n}`));
    result.set(name, id);
    taken.add(id);
  }
  // Same entries, in the caller's order (first occurrence), for predictable iteration.
  return new Map([...new Set(names)].map((name) => [name, result.get(name)!]));
}

/**
 * PascalCase type name for an identifier or name (`read_file` → `ReadFile`), used for generated type names
 * such as `ReadFileInput`. Never empty, never starts with a digit; contains only `[A-Za-z0-9]`.
 */
export function toTypeName(name: string): string {
  let out = "";
  for (const part of toIdentifier(name).split(/[_$]+/)) {
    if (part) out += part[0]!.toUpperCase() + part.slice(1);
  }
  return out === "" || /^[0-9]/.test(out) ? `T${out}` : out;
}

/** `id` cut so that `id_<hash>` fits in the length cap. */
function withSuffix(id: string, hash: string): string {
  return `${id.slice(0, HASH_SUFFIX_KEEP)}_${hash}`;
}
