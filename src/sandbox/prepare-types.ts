/**
 * @module sandbox/prepare-types
 * The contract of {@link prepareCode} (src/sandbox/prepare.ts): what it takes, and the prepared program or the first
 * problem it found.
 */
import type { TopLevelScope } from "../scope/scope-analysis";
import type { CarriedScope, DroppedBinding } from "../scope/scope-store";
import type { MeteredSelection } from "./metered-selection";
import type { ImportUse, ModuleCatalog } from "./prepare-imports";
import type { Location } from "./prepare-location";

/** Input of `prepareCode`. */
export interface PrepareInput {
  code: string;
  /** What may be imported: module specifier as the agent writes it (without @version) -> exported names. */
  modules: ModuleCatalog;
  /** Random per-execution name for the guard function, e.g. "__cg_step_3f9a1c"; the agent cannot know it. */
  guardName: string;
  /**
   * Prepare a skill module of this name instead of a program body: exports are allowed, a top-level `return` is not,
   * and the prepared main returns the skill's function (see prepare-exports.ts).
   */
  skill?: string;
  /**
   * The scope carried from earlier executions of the session or context (src/scope/). Given, the program starts with
   * those bindings and registers a capture of its own top level; absent (skills, skill runs), it starts empty.
   */
  carried?: CarriedScope;
}

/** What the prepared program carries in and captures (present when `carried` was given). */
export interface PreparedScope {
  /** The program's own top-level bindings. */
  own: TopLevelScope;
  /** Value names the sandbox captures when the program ends. */
  captured: string[];
  /** Names the program starts with, carried from earlier executions. */
  carriedIn: string[];
  /** Carried bindings that could not be brought in, with the reason. */
  dropped: DroppedBinding[];
}

/** A frame inside a carried declaration (see `inCarried`). */
export interface CarriedFrame {
  name: string;
  /** The execution that declared it; then `line` is a line of that execution's code. */
  execution?: string;
  /** Without `execution`: the line of the declaration's own source (1 = its first line). */
  line: number;
}

/** Why the code cannot run. `line` and `column` are 1-based, in the agent's original code. */
export interface PrepareError {
  kind: "syntax" | "import" | "reserved";
  /** What is wrong, how to fix it, and (when located) the offending line with a caret. */
  message: string;
  line?: number;
  column?: number;
}

/** The prepared `agent.js` and the modules it imports, or the first problem found. */
export type PrepareResult =
  | {
      ok: true;
      code: string;
      /**
       * Where a location in `code` (as a V8 stack trace of the module gives it) is in the agent's original code:
       * exact, through the inserted guards and the stripped types; undefined inside the gateway's own additions.
       */
      locate(at: Location): Location | undefined;
      /**
       * Where a location in `code` is inside a declaration carried from an earlier execution: its name, and the line
       * in the execution that declared it (`execution`, when stored) or in the declaration's own source.
       */
      inCarried(at: Location): CarriedFrame | undefined;
      imports: ImportUse[];
      /** Modules imported for their types only (`import type`, or names used only as types): the type check declares them. */
      typeImports: ImportUse[];
      scope?: PreparedScope;
      /** The code can make a regular expression, so the sandbox needs the full regex guard (prepare-walk.ts). */
      regex: boolean;
      /** The metered built-ins the code can reach (src/sandbox/metered-selection.ts). */
      metered: MeteredSelection;
    }
  | { ok: false; error: PrepareError };
