/**
 * @module sandbox/reply-caps
 * What the host passes on of the sandbox's reply: the sandbox caps its result, logs, warnings and error text itself,
 * but whatever it sends is the agent's to forge, so the host caps each again before it reaches the client.
 */
import type { Limits } from "../config";

/** Longest error message passed on; the isolate caps it too, but what it reports is the agent's to forge. */
const MAX_ERROR_CHARS = 8_000;

/** `text` as a string of at most `max` characters, marked where it was cut. */
export function clip(text: unknown, max = MAX_ERROR_CHARS): string {
  const s = String(text);
  return s.length > max ? `${s.slice(0, max)}…[truncated: ${s.length} characters]` : s;
}

/** Caps the result's JSON at max_result_bytes: an oversized result becomes a visible, truncated preview. */
export function capResult(json: unknown, limits: Limits, length?: unknown): unknown {
  if (json === undefined) return undefined;
  // The harness always sends JSON text; anything else means the agent's code tampered with the built-ins it uses.
  if (typeof json !== "string") return "[the sandbox returned a malformed result]";
  const max = limits.max_result_bytes;
  if (json.length <= max) {
    try {
      return JSON.parse(json);
    } catch {
      return "[the sandbox returned a malformed result]";
    }
  }
  // The harness cuts a long result to one character over the limit and says how long it was (`length`).
  const total = typeof length === "number" && length > json.length ? length : json.length;
  const head = json.slice(0, max);
  // A string result is shown as the string's own beginning, not as its JSON text cut off (a stray opening quote and
  // escapes); anything else is previewed as JSON text.
  const shown = (head.startsWith('"') && stringPrefix(head)) || head;
  return `${shown}${TRUNCATED_RESULT_NOTE} ${total} bytes; max_result_bytes is ${max}. Return less, or keep data in the workspace]`;
}

const TRUNCATED_RESULT_NOTE = "…[truncated: the result was";
const TRUNCATED_RESULT_END =
  /…\[truncated: the result was \d+ bytes; max_result_bytes is \d+\. Return less, or keep data in the workspace\]$/;

/**
 * Whether `result` is {@link capResult}'s preview of a result over max_result_bytes: the text rendering shows it as
 * it is, since quoting it as a JSON string would escape the preview's own JSON (and make it longer than the cap).
 */
export function isTruncatedResult(result: unknown): result is string {
  return typeof result === "string" && result.includes(TRUNCATED_RESULT_NOTE) && TRUNCATED_RESULT_END.test(result);
}

/** The text of a JSON string cut before its end (`"abc\u00`), or undefined; a cut escape is dropped. */
function stringPrefix(head: string): string | undefined {
  // An escape is at most 6 characters (\uXXXX): dropping up to 5 more ends the text at a whole one.
  for (let drop = 0; drop <= 5 && drop < head.length; drop++) {
    try {
      const text: unknown = JSON.parse(`${head.slice(0, head.length - drop)}"`);
      if (typeof text === "string") return text;
    } catch {}
  }
  return undefined;
}

/** The log lines within max_log_lines and max_log_bytes (with the sandbox's own marker's slack), then a marker. */
export function capLogs(logs: unknown, limits: Limits): string[] {
  if (!Array.isArray(logs)) return [];
  const out: string[] = [];
  let bytes = 0;
  for (const line of logs) {
    const text = String(line);
    if (out.length >= limits.max_log_lines + 1 || bytes + text.length > limits.max_log_bytes + 512) {
      out.push(
        `…[logs truncated by the host: max_log_lines ${limits.max_log_lines}, max_log_bytes ${limits.max_log_bytes}]`,
      );
      break;
    }
    bytes += text.length;
    out.push(text);
  }
  return out;
}
