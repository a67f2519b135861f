/**
 * @module sandbox/runtime-error
 * A program's failure as the harness reported it (worker-loader/harness.js: the error's name, message and the
 * innermost frame in the agent's module or a skill's), turned into the execution's error: the agent's own line and
 * column mapped back through preparation, a skill's line named in the message, and run_skill's generated call
 * never shown as the user's code.
 */
import type { ExecutionError } from "./execution-types";
import type { Location } from "./prepare-location";
import type { CarriedFrame } from "./prepare-types";
import { clip } from "./reply-caps";

/** What the harness reports of a failure: `skill` when the frame was in that skill's code (`name@version`). */
export interface HarnessError {
  name: string;
  message: string;
  line?: number;
  column?: number;
  skill?: string;
}

/** How frames of the prepared module map to the agent's code (the prepared program, src/sandbox/prepare-types.ts). */
export interface ErrorFrames {
  locate: (at: Location) => Location | undefined;
  inCarried?: (at: Location) => CarriedFrame | undefined;
}

/**
 * The execution's error for `e`. `frames.locate` maps a frame of the prepared module to the agent's code, and
 * `frames.inCarried` to a declaration carried from an earlier execution (appended after the agent's code: its line
 * is no line of this program, so the error names the declaration and where it came from). `skillRun` is the skill
 * when the program is run_skill's generated call of it (src/session/session-runs.ts runSkill), whose frames are no
 * one's code: an error placed there (a tool call the skill returned without awaiting) is the skill's.
 */
export function runtimeError(e: HarnessError, frames: ErrorFrames, skillRun: string | undefined): ExecutionError {
  const kind = e.name === "StepBudgetError" ? "step_budget" : "runtime";
  const { where, at } = thrownAt(e, frames, skillRun);
  const message = `${describedError(e)}${where}`;
  // line and column locate the code that was run; a skill's line is in the message.
  return at ? { kind, message, line: at.line, column: at.column } : { kind, message };
}

/** `Name: message`, or the name alone when the message is empty (`throw new Error()`), both cut. */
export function describedError(e: HarnessError): string {
  const name = clip(e.name, 100);
  return e.message === "" ? name : `${name}: ${clip(e.message)}`;
}

/**
 * Where `e` was thrown, as the agent reads it: ` (at line 3 of your code)`, ` (in boom, carried from an earlier
 * execution (exe_…, line 3 there))`, ` (at line 2 of skill greet@1)`, ` (in skill greet)`, or nothing; `at` is the
 * agent's own line and column when the frame is in its code.
 */
export function thrownAt(
  e: HarnessError,
  frames: ErrorFrames,
  skillRun: string | undefined,
): { where: string; at?: Location } {
  const inSkill = typeof e.skill === "string" ? clip(e.skill, 100) : undefined;
  if (inSkill) return { where: e.line ? ` (at line ${e.line} of skill ${inSkill})` : "" };
  if (skillRun !== undefined) return { where: ` (in skill ${skillRun})` };
  const frame = e.line && e.column ? { line: e.line, column: e.column } : undefined;
  const at = frame && frames.locate(frame);
  const carried = !at && frame ? frames.inCarried?.(frame) : undefined;
  if (carried) {
    const origin = carried.execution
      ? `${carried.execution}, line ${carried.line} there`
      : `line ${carried.line} of its declaration`;
    return { where: ` (in ${clip(carried.name, 100)}, carried from an earlier execution (${origin}))` };
  }
  return at?.line ? { where: ` (at line ${at.line} of your code)`, at } : { where: "" };
}
