/**
 * @module sandbox/rejection-warnings
 * The result's warnings for promise rejections nobody handled. The harness describes each rejection's reason as it
 * describes a thrown error (worker-loader/harness.js: name, message, the frame in the agent's module or a skill's)
 * and the host words and locates it exactly as it does the execution's error (src/sandbox/runtime-error.ts): a
 * rejection inside a carried function names the function and the execution and line that declared it, never a line
 * of the prepared module. The reply crossed from the sandbox: every field is checked and the list is capped.
 */
import { clip } from "./reply-caps";
import { describedError, type ErrorFrames, type HarnessError, thrownAt } from "./runtime-error";

/** The harness keeps 20 rejections and a count of the rest: anything beyond is not its own. */
const MAX_WARNINGS = 21;
/** Longest rejection's description passed on (its location follows it). */
const MAX_WARNING_CHARS = 1_000;

const isTable = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const position = (v: unknown): number | undefined =>
  Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : undefined;

/** One described rejection as the harness sent it, or undefined when it is not one. */
function described(raw: Record<string, unknown>): HarnessError | undefined {
  if (typeof raw.name !== "string" || typeof raw.message !== "string") return undefined;
  const line = position(raw.line);
  const column = position(raw.column);
  return {
    name: raw.name,
    message: raw.message,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
    ...(typeof raw.skill === "string" ? { skill: raw.skill } : {}),
  };
}

/**
 * The warnings for the harness's `warnings` (described rejections, then `{ more }` when some were only counted),
 * located through `frames`; `skillRun` as for runtimeError.
 */
export function rejectionWarnings(
  raw: unknown,
  frames: ErrorFrames,
  skillRun: string | undefined,
): Array<{ message: string }> {
  if (!Array.isArray(raw)) return [];
  const out: Array<{ message: string }> = [];
  for (const item of raw.slice(0, MAX_WARNINGS)) {
    if (!isTable(item)) continue;
    const more = position(item.more);
    if (more !== undefined) {
      out.push({ message: `…and ${more} more unhandled promise rejections` });
      continue;
    }
    const e = described(item);
    if (!e) continue;
    // The message is cut, never where it was thrown.
    const head = clip(describedError(e), MAX_WARNING_CHARS);
    out.push({ message: `Unhandled promise rejection: ${head}${thrownAt(e, frames, skillRun).where}` });
  }
  return out;
}
