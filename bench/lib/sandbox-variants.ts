/**
 * @module bench/lib/sandbox-variants
 * Edited variants of the sandbox's modules for the experiments that time parts of the isolate's start
 * (bench/isolate-split.ts, the hop profile). The executor ships the modules minified (scripts/build-sandbox.mjs),
 * so an edit is made to the source as written and the result minified the same way: the variant differs from
 * what the executor loads by the edit alone.
 */
import { minifySandboxModule, sandboxModuleSource } from "../../scripts/build-sandbox.mjs";

/**
 * The first statement of worker-loader/harness.js `run()`, where the experiments cut the run short: the sandbox is
 * configured and every guard installed (the metered built-ins the host selected among them), and the program has
 * not started.
 */
export const HARNESS_CONFIGURED = "configure(options);";
/** An edit that makes the harness answer at once, right after configuring the sandbox. */
export const ANSWER_AFTER_CONFIGURE: SourceEdit = [
  "harness.js",
  HARNESS_CONFIGURED,
  `${HARNESS_CONFIGURED} return { ok: true };`,
];
/** The call in worker-loader/runtime.js that installs the built-in guards but the metered built-ins. */
export const INSTALL_GUARDS = "installGuards(spend, refund);";
/** The call in worker-loader/runtime.js (configure) that installs the metered built-ins. */
export const METER_BUILTINS = "meterBuiltins(spend, metered);";
/** Edits that leave out every built-in guard: the metered built-ins and the others. */
export const NO_BUILTIN_GUARDS: SourceEdit[] = [
  ["runtime.js", INSTALL_GUARDS, ""],
  ["runtime.js", METER_BUILTINS, ""],
];

/** An edit that skips the timer turn the harness waits so that unhandled rejections are seen before it answers. */
export const NO_REJECTION_TURN: SourceEdit = [
  "rejections.js",
  "return new NativePromise((resolve) => wait(() => resolve(collect()), 0));",
  "return collect();",
];

/**
 * Edits that make the harness answer at each step of `run()` after the sandbox is configured (bench/run-split.ts):
 * once the program settled, once the unhandled rejections were collected, and before the notifications are flushed.
 */
export const RUN_CUTS: Record<string, SourceEdit> = {
  "after the program": [
    "harness.js",
    "outcome = await first(main());",
    "outcome = await first(main()); return { ok: true };",
  ],
  "after the rejection turn": ["harness.js", "spentBefore = isBudgetExceeded();", "return { ok: true };"],
  "before the notification flush": ["harness.js", "await finishOrStop();", "return { ok: true };"],
};

export type SourceEdit = [module: string, from: string, to: string];

/** Modules with the edits made (several edits to one module apply in order), minified; throws on a stale edit. */
export function editedSandboxModules(edits: readonly SourceEdit[]): Record<string, string> {
  const sources = new Map<string, string>();
  for (const [name, from, to] of edits) {
    const text = sources.get(name) ?? sandboxModuleSource(name);
    if (!text.includes(from)) throw new Error(`worker-loader/${name} no longer has ${JSON.stringify(from)}`);
    sources.set(name, text.replace(from, to));
  }
  const out: Record<string, string> = {};
  for (const [name, text] of sources) out[name] = minifySandboxModule(name, text);
  return out;
}
