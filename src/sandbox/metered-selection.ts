/**
 * @module sandbox/metered-selection
 * Which metered built-ins an execution's isolate installs. Locally nothing limits CPU, so the sandbox wraps about
 * ninety built-in methods that loop over a length without calling back into agent code, each charging the step
 * budget before it runs (worker-loader/metered-builtins.js). Making and installing the wrappers is the largest part of
 * the guards' start in every fresh isolate (bench/isolate-split.ts), and most programs call a handful of them.
 *
 * Code reaches a method by its name. The name is spelled in the source (`a.includes`, `a["includes"]`,
 * `const { includes } = a`, an escape such as `incl\u0075des` as the parser reads it) unless the code computes it:
 * a property read with a computed key (`a[k]`, `const { [k]: f } = a`), or reflection that takes a name or lists
 * them (`Reflect`, `Object.getOwnPropertyDescriptor(s)`, `getOwnPropertyNames`, and `defineProperty`, which could
 * make a method enumerable for `Object.values` to hand over; also V8's stack-trace call sites, which can hand over a
 * frame's function). Code that does either gets every wrapper; other code gets the wrappers for the names it spells,
 * as identifiers, property names or strings, in its own source or a skill's it imports. The engine itself calls
 * toString, join and toLocaleString when it converts an array to a primitive: the sandbox always meters those.
 * `eval`, `Function` and string timers cannot make code at run time in a Worker, so the source is all the code there
 * is.
 */
import { alwaysMetered, meteredNames } from "../../.sandbox-build/sandbox-modules.js";
import type { WalkResult } from "./prepare-walk";

const METERED: ReadonlySet<string> = new Set(meteredNames);
/** Metered in every execution by worker-loader/metered-builtins.js itself (the engine calls them unnamed). */
const ALWAYS: ReadonlySet<string> = new Set(alwaysMetered);

/**
 * Names through which code reads or redefines properties by a name it can compute, lists them, or takes functions
 * from the engine's call stack.
 */
const REFLECTIVE: ReadonlySet<string> = new Set([
  "Reflect",
  "Proxy",
  "getOwnPropertyDescriptor",
  "getOwnPropertyDescriptors",
  "getOwnPropertyNames",
  "ownKeys",
  "defineProperty",
  "defineProperties",
  "__lookupGetter__",
  "__lookupSetter__",
  "__defineGetter__",
  "__defineSetter__",
  // A stack trace's call sites can hand over the function of each frame (V8's Error.prepareStackTrace API).
  "prepareStackTrace",
  "getFunction",
]);

/** The metered methods a piece of code can reach: "all", or the names it spells. */
export type MeteredSelection = "all" | ReadonlySet<string>;

/** What one module's code can reach (its walk, src/sandbox/prepare-walk.ts). */
export function meteredSelection(walk: Pick<WalkResult, "referenced" | "spelled" | "readsComputed">): MeteredSelection {
  if (walk.readsComputed) return "all";
  const names = new Set<string>();
  for (const list of [walk.referenced, walk.spelled]) {
    for (const name of list) {
      if (REFLECTIVE.has(name)) return "all";
      if (METERED.has(name)) names.add(name);
    }
  }
  return names;
}

/** What an execution can reach: its program's and every imported skill's. */
export function mergeSelections(a: MeteredSelection, b: MeteredSelection): MeteredSelection {
  if (a === "all" || b === "all") return "all";
  return new Set([...a, ...b]);
}

/** The sandbox's `metered` option (worker-loader/runtime.js configure): the names, or undefined for all. */
export function meteredOption(selection: MeteredSelection): string[] | undefined {
  return selection === "all" ? undefined : [...selection].sort();
}

/**
 * Whether the isolate needs worker-loader/metered-more.js, the wrappers of every metered method but the three each
 * execution gets: when the code can reach all of them, or names one. Without it the isolate gets a stand-in that
 * refuses to run should the sandbox be asked for more (src/sandbox/isolate-modules.ts).
 */
export function needsMoreMetered(selection: MeteredSelection): boolean {
  if (selection === "all") return true;
  for (const name of selection) if (!ALWAYS.has(name)) return true;
  return false;
}
