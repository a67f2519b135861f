/**
 * @module sandbox/log-frames
 * Stack traces in the program's logs (`console.log(new Error())`, `console.log(err.stack)`), as the agent should read
 * them: a frame in its prepared module names the line of its own code (or the carried declaration it is in), a
 * skill's frame stays, and the gateway's own frames (the wrapper's header, the harness, the runtime) are dropped.
 * Runs on the host, on the logs the sandbox returned and on each line it streamed live, the same way: the sandbox
 * ships no code for it. Bounded: a line is read only when it holds a stack, a frame only up to MAX_FRAME_CHARS, and
 * one execution looks up at most MAX_MAPPED_FRAMES distinct locations (a logged stack repeats its frames: each is
 * looked up once); past that, frames stay as V8 wrote them.
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
/** Distinct locations of the prepared module one execution maps; each lookup walks no text, but they add up. */
export const MAX_MAPPED_FRAMES = 2_000;

/** How frames of the prepared module map to the agent's code. */
export interface FrameMap {
  locate(at: Location): Location | undefined;
  inCarried(at: Location): CarriedFrame | undefined;
}

/** Where a location of the prepared module is, as a frame shows it; null for the gateway's own code. */
type Mapped = { own: number } | { carried: string } | null;

/** The stack traces of one execution's logs, rewritten for the agent (see the module comment). */
export class LogFrames {
  readonly #frames: FrameMap;
  readonly #mapped = new Map<string, Mapped>();

  constructor(frames: FrameMap) {
    this.#frames = frames;
  }

  /** `logs` with every stack trace in them rewritten. */
  lines(logs: string[]): string[] {
    return logs.map((line) => this.line(line));
  }

  /** One console line (which may hold a whole stack) rewritten. */
  line(text: string): string {
    return text.includes("\n    at ") ? this.#stack(text) : text;
  }

  #stack(text: string): string {
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
      const mapped = this.#where(Number(l), Number(c));
      if (mapped === undefined) out.push(line);
      else if (mapped && "own" in mapped) {
        out.push(`    at ${fn && fn !== MAIN ? `${fn} ` : ""}(line ${mapped.own} of your code)`);
      } else if (mapped) out.push(`    at ${mapped.carried}`);
    }
    return out.join("\n");
  }

  /** The location mapped, looked up once per execution; undefined past MAX_MAPPED_FRAMES distinct ones. */
  #where(line: number, column: number): Mapped | undefined {
    const key = `${line}:${column}`;
    const known = this.#mapped.get(key);
    if (known !== undefined) return known;
    if (this.#mapped.size >= MAX_MAPPED_FRAMES) return undefined;
    const at = { line, column };
    const own = this.#frames.locate(at);
    let mapped: Mapped = own ? { own: own.line } : null;
    const carried = own ? undefined : this.#frames.inCarried(at);
    if (carried) {
      const where = carried.execution ? `${carried.execution}, line ${carried.line}` : `line ${carried.line} of it`;
      mapped = { carried: `${carried.name} (carried from an earlier execution: ${where})` };
    }
    this.#mapped.set(key, mapped);
    return mapped;
  }
}
