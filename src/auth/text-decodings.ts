/**
 * @module auth/text-decodings
 * Lenient decoders for text an upstream may have encoded to slip a secret past redaction: JSON string escapes,
 * percent-escapes and HTML character references, each applied to any text and leaving what does not decode as it
 * is. Redaction (src/auth/redact.ts) searches the decoded views for secrets.
 */

/** Rounds of JSON unescaping looked through (one more than the escaping rounds spelled out). */
export const MAX_DECODE_DEPTH = 7;
/** A percent-escape: text holding none has no percent-decoding. */
export const PERCENT_ESCAPE = /%[0-9a-fA-F]{2}/;
const SIMPLE_ESCAPES = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);

/** One round of JSON string unescaping over any text; what is not a valid escape stays as it is. */
export function unescapeJson(text: string): string {
  return text.replace(
    /\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g,
    (_, hex: string | undefined, simple: string | undefined) =>
      hex ? String.fromCharCode(Number.parseInt(hex, 16)) : SIMPLE_ESCAPES.get(simple!)!,
  );
}

/** Percent-decoding of every `%XX` run (UTF-8 where it decodes, byte by byte where it does not). */
export function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    }
  });
}

const NAMED_REFERENCES = new Map([
  ["amp", "&"],
  ["lt", "<"],
  ["gt", ">"],
  ["quot", '"'],
  ["apos", "'"],
]);

/** HTML character references: numeric ones of any character, and the five named ones serializers write. */
export function htmlDecode(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-z]{2,4}));/g,
    (m, dec?: string, hex?: string, name?: string) => {
      const code = dec ? Number(dec) : hex ? Number.parseInt(hex, 16) : undefined;
      if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : m;
      return NAMED_REFERENCES.get(name!) ?? m;
    },
  );
}
