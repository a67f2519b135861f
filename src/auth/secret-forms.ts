/**
 * @module auth/secret-forms
 * The spellings a secret can take on its way back from an upstream. A secret holding `"` or `\` changes with each
 * round of JSON escaping (a tool that returns JSON text inside JSON text escapes it twice), and an upstream can also
 * percent-encode it, base64 it or put it in HTML. Redaction (src/auth/redact.ts) looks for every form listed here.
 */

/** Rounds of JSON escaping looked for: JSON text inside JSON text, and so on. */
export const MAX_JSON_DEPTH = 6;
/** Encoded forms shorter than this are not looked for: a short base64 or hex run matches ordinary text by chance. */
export const MIN_ENCODED_LENGTH = 8;

/** The body of a JSON string literal holding `text` (what `JSON.stringify` writes between the quotes). */
export function jsonEscape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** JSON escaping as ASCII-only and HTML-safe serializers write it (Go, Python's ensure_ascii, PHP's `\/`). */
function jsonEscapeVariants(text: string): string[] {
  const plain = jsonEscape(text);
  const ascii = plain.replace(/[^\x20-\x7e]|[<>&'/]/g, (c) =>
    c === "/" ? "\\/" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return [
    plain,
    plain.replaceAll("/", "\\/"),
    ascii,
    ascii.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`),
  ];
}

const HTML_ENTITIES = new Map([
  ["&", "&amp;"],
  ["<", "&lt;"],
  [">", "&gt;"],
  ['"', "&quot;"],
  ["'", "&#39;"],
]);

function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES.get(c)!);
}

function percentForms(text: string): string[] {
  const upper = encodeURIComponent(text);
  const lower = upper.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return [upper, lower, upper.replaceAll("%20", "+"), encodeURI(text)];
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * The base64 runs that stand for `bytes` wherever they sit in a longer payload: encoded at each of the three byte
 * alignments, keeping only the characters made of the secret's bits alone (standard and URL-safe alphabets).
 */
function base64Forms(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = base64(padded);
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    out.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}

function hexForms(bytes: Uint8Array): string[] {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return [hex, hex.toUpperCase()];
}

/** Every form of one secret: raw and JSON-escaped up to {@link MAX_JSON_DEPTH} times, and encodings of those. */
function formsOfSecret(secret: string): { plain: string[]; encoded: string[] } {
  const levels = [secret];
  for (let depth = 1; depth <= MAX_JSON_DEPTH; depth++) {
    const next = jsonEscape(levels[levels.length - 1]!);
    if (next === levels[levels.length - 1]) break;
    levels.push(next);
  }
  const plain = [...levels, ...jsonEscapeVariants(secret), htmlEscape(secret)];
  const encoded: string[] = [];
  // Encodings of the raw secret and of its once-escaped form (a JSON body that is then percent- or base64-encoded).
  for (const text of new Set([secret, jsonEscape(secret)])) {
    const bytes = utf8(text);
    encoded.push(...percentForms(text), ...base64Forms(bytes), ...hexForms(bytes));
  }
  return { plain, encoded };
}

/** The forms of a set of secrets, and matchers that find any of them in one pass. */
export interface SecretForms {
  /** Longest first, so a whole form is replaced before a shorter one inside it. */
  list: readonly string[];
  /** Matches any form (literal alternation: no backtracking beyond one form's length per position). */
  any: RegExp;
  /** Matches any form of at least `longMin` characters, or nothing. */
  long: RegExp;
  /** Length of the shortest form: shorter text cannot hold one. */
  shortest: number;
}

const cache = new WeakMap<readonly string[], SecretForms>();

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const alternation = (forms: readonly string[]) =>
  forms.length === 0 ? /(?!)/ : new RegExp(forms.map(escapeRegExp).join("|"));

/**
 * Every form of every secret (each at least `minLength` characters; encoded forms at least
 * {@link MIN_ENCODED_LENGTH}), with one-pass matchers. Cached per secrets array: a connection computes them once.
 */
export function secretForms(secrets: readonly string[], minLength: number, longMin = 16): SecretForms {
  let forms = cache.get(secrets);
  if (!forms) {
    const out = new Set<string>();
    for (const secret of secrets) {
      const { plain, encoded } = formsOfSecret(secret);
      for (const f of plain) if (f.length >= minLength) out.add(f);
      // "Bearer tok" encoded spells "tok" encoded (at some offset), so a secret holding another adds no encodings.
      if (secrets.some((t) => t !== secret && t.length >= minLength && secret.includes(t))) continue;
      for (const f of encoded) if (f.length >= Math.max(minLength, MIN_ENCODED_LENGTH)) out.add(f);
    }
    const list = [...out].sort((a, b) => b.length - a.length);
    forms = {
      list,
      any: alternation(list),
      long: alternation(list.filter((f) => f.length >= longMin)),
      shortest: list.length === 0 ? Number.POSITIVE_INFINITY : list[list.length - 1]!.length,
    };
    cache.set(secrets, forms);
  }
  return forms;
}
