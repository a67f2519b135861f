/**
 * @module sandbox/approval-prompt
 * What a human is shown before approving a tool call. The user approves exactly what they saw: every property name
 * at every level appears, long strings and long arrays are shortened in the middle with their full length, the
 * prompt says plainly when anything was shortened, and arguments that cannot be shown whole in that form (too many
 * names, nesting too deep) are never sent: the call is refused instead of asking.
 *
 * The rendering is readable JSON with markers outside the quotes, e.g.
 * `"note": "xxxx…xx" (shortened: 12,000 characters)`.
 */
import { stringLiteral } from "../codegen/literal";

/** Longest prompt (characters) sent to a client; long enough for hundreds of properties. */
export const MAX_PROMPT_CHARS = 20_000;
/** Deeper arguments are refused for approval rather than shown in part. */
export const MAX_PROMPT_DEPTH = 24;

interface Caps {
  /** Characters of a string shown before shortening (head and tail together). */
  chars: number;
  /** Array items shown before shortening (head and tail together). */
  items: number;
}

/** Tried in order until the rendering fits {@link MAX_PROMPT_CHARS}. */
const CAPS: readonly Caps[] = [
  { chars: 2_000, items: 200 },
  { chars: 400, items: 40 },
  { chars: 120, items: 12 },
  { chars: 40, items: 4 },
  { chars: 8, items: 2 },
];

export type ApprovalPrompt = { ok: true; text: string; shortened: boolean } | { ok: false; error: string };

const count = (n: number) => n.toLocaleString("en-US");

class TooDeep extends Error {}

/** A string as a visible literal: JSON-quoted, with characters that disguise text on screen (line and bidi
 * controls, zero-width and invisible characters) written as `\uXXXX` escapes. */
const literal = stringLiteral;

/** Server and tool names come from upstreams: plain names as they are, anything else as a quoted literal. */
function displayName(name: string): string {
  const shown = name.length > 200 ? `${name.slice(0, 200)}…` : name;
  return /^[\w.$-]+$/.test(shown) ? shown : literal(shown);
}

function renderString(s: string, caps: Caps, state: { shortened: boolean }): string {
  if (s.length <= caps.chars) return literal(s);
  state.shortened = true;
  const head = Math.ceil((caps.chars * 3) / 4);
  const tail = caps.chars - head;
  return `${literal(`${s.slice(0, head)}…${s.slice(s.length - tail)}`)} (shortened: ${count(s.length)} characters)`;
}

function render(value: unknown, caps: Caps, indent: string, depth: number, state: { shortened: boolean }): string {
  if (depth > MAX_PROMPT_DEPTH) throw new TooDeep();
  if (typeof value === "string") return renderString(value, caps, state);
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const lines: string[] = [];
    const item = (v: unknown) => `${inner}${render(v, caps, inner, depth + 1, state)}`;
    if (value.length <= caps.items) {
      for (const v of value) lines.push(item(v));
    } else {
      state.shortened = true;
      const head = Math.ceil(caps.items / 2);
      const tail = caps.items - head;
      for (const v of value.slice(0, head)) lines.push(item(v));
      lines.push(
        `${inner}… (shortened: an array of ${count(value.length)} items, the first ${head} and last ${tail} shown)`,
      );
      for (const v of value.slice(value.length - tail)) lines.push(item(v));
    }
    return `[\n${lines.join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  const lines = keys.map(
    (k) =>
      `${inner}${renderString(k, caps, state)}: ${render((value as Record<string, unknown>)[k], caps, inner, depth + 1, state)}`,
  );
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/** Counts the property names at every level (each must be shown). */
function countNames(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    if (!Array.isArray(v)) n += Object.keys(v).length;
    for (const child of Object.values(v)) stack.push(child);
  }
  return n;
}

/**
 * The prompt for one call, or why its arguments cannot be shown whole (the call must then not run). `args` is the
 * exact object that will be sent.
 */
export function approvalPrompt(server: string, tool: string, args: unknown): ApprovalPrompt {
  const head = `Code running in the gateway wants to call ${displayName(server)}.${displayName(tool)} with these arguments:\n`;
  for (const caps of CAPS) {
    const state = { shortened: false };
    let body: string;
    try {
      body = render(args, caps, "", 0, state);
    } catch (err) {
      if (!(err instanceof TooDeep)) throw err;
      return {
        ok: false,
        error: `${server}.${tool} needs approval, but its arguments nest deeper than ${MAX_PROMPT_DEPTH} levels, too deep to show to the user; pass flatter arguments`,
      };
    }
    const note = state.shortened
      ? "Some values above are SHORTENED: marked (shortened: …), they show only their first and last characters or items. Nothing else is sent."
      : "These are the complete arguments; nothing else is sent.";
    const text = `${head}${body}\n${note}\nAllow this call?`;
    if (text.length <= MAX_PROMPT_CHARS) return { ok: true, text, shortened: state.shortened };
  }
  return {
    ok: false,
    error: `${server}.${tool} needs approval, but its arguments (${count(countNames(args))} property names) are too many to show to the user in one prompt; split the call into smaller ones`,
  };
}
