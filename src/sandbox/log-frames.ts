/**
 * @module sandbox/log-frames
 * Stack traces in the program's logs (`console.log(new Error())`, `console.log(err.stack)`), as the agent should read
 * them: a frame in its prepared module names the line of its own code (or the carried declaration it is in), a
 * skill's frame stays, and the gateway's own frames (the wrapper's header, the harness, the runtime) are dropped.
 * Runs on the host, on the logs the sandbox returned (already capped): the sandbox ships no code for it.
 */

import type { Location } from "./prepare-location";
import type { CarriedFrame } from "./prepare-types";

/** One stack frame line: `    at f (file:///x/agent.js:3:7)` or `    at agent.js:3:7`. */
const FRAME = /^\s+at (?:(.*?) \()?(?:[^\s()]*\/)?([^\s/()]+\.js):(\d+):(\d+)\)?$/;
/** A skill's module (src/skills/skill-modules.ts names it). */
const SKILL_MODULE = /^skill-impl\.[a-z][a-z0-9_]*@\d+\.js$/;
/** The wrapper the gateway puts around the agent's code (src/sandbox/prepare.ts). */
const MAIN = "__cg_main";
/** Longer lines are no frame V8 writes (it cuts function names); not matched, so the match stays linear. */
const MAX_FRAME_CHARS = 1_000;

/** How frames of the prepared module map to the agent's code. */
export interface FrameMap {
  locate(at: Location): Location | undefined;
  inCarried(at: Location): CarriedFrame | undefined;
}

/** `logs` with the frames of every stack trace in them rewritten for the agent (see the module comment). */
export function mapLogFrames(logs: string[], frames: FrameMap): string[] {
  return logs.map((line) => (line.includes("\n    at ") ? mapStack(line, frames) : line));
}

function mapStack(text: string, frames: FrameMap): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const frame = line.length <= MAX_FRAME_CHARS ? FRAME.exec(line) : null;
    if (!frame) {
      out.push(line);
      continue;
    }
    const [, fn, file, l, c] = frame as unknown as [string, string | undefined, string, string, string];
    if (SKILL_MODULE.test(file)) out.push(line);
    if (file !== "agent.js") continue;
    const at = { line: Number(l), column: Number(c) };
    const own = frames.locate(at);
    const name = fn && fn !== MAIN ? `${fn} ` : "";
    if (own) {
      out.push(`    at ${name}(line ${own.line} of your code)`);
      continue;
    }
    const carried = frames.inCarried(at);
    if (carried) {
      const where = carried.execution ? `${carried.execution}, line ${carried.line}` : `line ${carried.line} of it`;
      out.push(`    at ${carried.name} (carried from an earlier execution: ${where})`);
    }
  }
  return out.join("\n");
}
