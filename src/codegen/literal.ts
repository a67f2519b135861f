/**
 * Literals embedded in generated source (TypeScript declarations and the sandbox's JavaScript binding
 * modules). Upstream strings are only ever embedded through these helpers: they are JSON-quoted, and every
 * character a reader cannot see (controls, line separators, bidi and zero-width characters, tag characters,
 * variation selectors, unpaired surrogates) is written as a `\uXXXX` escape, so the literal's value is exactly
 * the original string while its source text is plain and unambiguous.
 */

/**
 * Characters to escape: C0/C1 controls and DEL, soft hyphen, combining grapheme joiner, Arabic letter mark,
 * Hangul fillers, Mongolian vowel separator, U+200B-U+200F, U+2028-U+202E (line/paragraph separators — not
 * line terminators in JSON but they are in old JS — and bidi embeddings), U+2060-U+206F, variation selectors,
 * BOM, interlinear annotations, every astral character of plane 14 (tags, variation selectors supplement: high
 * surrogate U+DB40) and unpaired surrogates.
 */
const UNSAFE =
  /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb]|\u034f|[\ufe00-\ufe0f]|\udb40[\udc00-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Replaces every invisible or control character of `text` by its `\uXXXX` escape (per UTF-16 unit). */
export function escapeInvisible(text: string): string {
  return text.replace(UNSAFE, (match) => {
    let out = "";
    for (let i = 0; i < match.length; i++) out += `\\u${match.charCodeAt(i).toString(16).padStart(4, "0")}`;
    return out;
  });
}

/**
 * A double-quoted string literal, valid in JSON, JavaScript and TypeScript, whose value is exactly `value`
 * and whose text contains no invisible characters (see `escapeInvisible`).
 */
export function stringLiteral(value: string): string {
  return escapeInvisible(JSON.stringify(String(value)));
}

/**
 * `value` as single-line JSON for documentation (`@default`, `@example`), invisible characters escaped;
 * `undefined` when it cannot be serialized (cycles, BigInt, functions, stack overflow on absurd nesting) or
 * when the JSON is longer than `maxChars`.
 */
export function jsonPreview(value: unknown, maxChars: number): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (typeof json !== "string" || json.length > maxChars) return undefined;
  return escapeInvisible(json);
}
