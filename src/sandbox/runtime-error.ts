/**
 * @module sandbox/runtime-error
 * A program's failure as the harness reported it (worker-loader/harness.js: the error's name, message and the
 * innermost frame in the agent's module or a skill's), turned into the execution's error: the agent's own line and
 * column mapped back through preparation, a skill's line named in the message, and run_skill's generated call
 * never shown as the user's code.
 */
import type { ExecutionError } from "./execution-types";
import type { Location } from "./prepare-location";
import { clip } from "./reply-caps";

/** What the harness reports of a failure: `skill` when the frame was in that skill's code (`name@version`). */
export interface HarnessError {
  name: string;
  message: string;
  line?: number;
  column?: number;
  skill?: string;
}

/**
 * The execution's error for `e`. `locate` maps a frame of the prepared module to the agent's code; `skillRun` is the
 * skill when the program is run_skill's generated call of it (src/session/session-runs.ts runSkill), whose frames
 * are no one's code: an error placed there (a tool call the skill returned without awaiting) is the skill's.
 */
export function runtimeError(
  e: HarnessError,
  locate: (at: Location) => Location | undefined,
  skillRun: string | undefined,
): ExecutionError {
  const kind = e.name === "StepBudgetError" ? "step_budget" : "runtime";
  const head = `${clip(e.name, 100)}: ${clip(e.message)}`;
  const inSkill = typeof e.skill === "string" ? clip(e.skill, 100) : undefined;
  if (inSkill) return { kind, message: e.line ? `${head} (at line ${e.line} of skill ${inSkill})` : head };
  if (skillRun !== undefined) return { kind, message: `${head} (in skill ${skillRun})` };
  const at = e.line && e.column ? (locate({ line: e.line, column: e.column }) ?? e) : undefined;
  // line and column locate the code that was run; a skill's line is in the message.
  return at?.line
    ? { kind, message: `${head} (at line ${at.line} of your code)`, line: at.line, column: at.column }
    : { kind, message: head };
}

/** V8's words for a name that is not in scope. */
const NOT_DEFINED = /^([A-Za-z_$][\w$]*) is not defined$/;

/**
 * `error`, with a hint when the program named a variable that does not exist and its session carried nothing in:
 * most often a variable of an earlier execution, run by a client that opens a new MCP session per call (the MCP
 * Inspector CLI does), where nothing carries over.
 */
export function withCarryHint(error: ExecutionError, thrown: HarnessError, carriedNothing: boolean): ExecutionError {
  if (!carriedNothing || error.kind !== "runtime" || thrown.name !== "ReferenceError" || thrown.skill) return error;
  const name = NOT_DEFINED.exec(thrown.message)?.[1];
  if (!name) return error;
  return {
    ...error,
    message: `${error.message}. If ${name} was a top-level variable of an earlier execution: variables carry from one execution to the next within one MCP session (or 2026-07-28 context), and this one started with none. A client that opens a new session for every call (the MCP Inspector CLI does) starts empty each time; keep data in a tool (the workspace's write_file) or use a client that keeps its session.`,
  };
}
