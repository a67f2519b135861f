/**
 * @module bench/worker/loader-variants
 * Worker Loaders that wrap the real one for experiments: the agent's module with the step guard as shipped, removed
 * or as a call in loops, and a loader that records the code and run() options of every isolate it loads (to time the
 * same isolate alone, or edited).
 */

/** `call`: an experiment, the loop guard as it was before the meter alias (a call of step() in every loop body). */
export type GuardVariant = "guarded" | "unguarded" | "call";

/** `guard();` and `guard(weight);` (function starts; catch clauses charge a weight) as src/sandbox/prepare-walk.ts inserts them. */
const GUARD_CALL = /__cg_step_[0-9a-f]+\(\d*\);/g;
const GUARD_EXPR = /\(__cg_step_[0-9a-f]+\(\), /g;
/** A loop step counted on the meter's function-local alias, and the alias itself. */
const LOOP_GUARD = /if\(\+\+(__cg_step_[0-9a-f]+)_m\.n>\1_m\.max\)\1_m\.over\(\);/g;
const METER_ALIAS = /const (__cg_step_[0-9a-f]+)_m=\1_meter;/g;

/** The prepared agent module with every inserted guard removed (the imports stay, unused). */
export function withoutGuard(agent: string): string {
  const stripped = agent
    .replace(LOOP_GUARD, "")
    .replace(METER_ALIAS, "")
    .replace(GUARD_CALL, "")
    .replace(GUARD_EXPR, "(");
  if (/__cg_step_[0-9a-f]+(_m\b|\()/.test(stripped)) {
    throw new Error("bench: could not remove the step guard; src/sandbox/prepare changed how it inserts it");
  }
  return stripped;
}

/**
 * Experiment: the loop guard as it was before, a call of the runtime's step() in every loop body instead of a count
 * on a function-local alias of its meter (what the alias saves in a tight loop).
 */
export function withCallGuard(agent: string): string {
  if (agent.search(LOOP_GUARD) === -1) throw new Error("bench: no loop guard found in agent.js");
  return agent.replace(LOOP_GUARD, "$1();");
}

function agentOf(code: WorkerLoaderWorkerCode): string {
  const agent = code.modules["agent.js"];
  if (typeof agent !== "string") throw new Error("bench: agent.js is missing from the modules map");
  return agent;
}

/** A loader that hands every isolate to the real one, with the guard as shipped, removed, or as a call in loops. */
export function guardLoader(real: WorkerLoader, variant: GuardVariant): WorkerLoader {
  return {
    get: real.get.bind(real),
    load(code: WorkerLoaderWorkerCode) {
      if (variant === "guarded") return real.load(code);
      const agent = variant === "unguarded" ? withoutGuard(agentOf(code)) : withCallGuard(agentOf(code));
      return real.load({ ...code, modules: { ...code.modules, "agent.js": agent } });
    },
  } as WorkerLoader;
}

/** A main module that imports none of the others and answers run() at once. */
export const MINIMAL_RUN = `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint { async run() { return { ok: true }; } }`;

/** The options our executor passes the sandbox's run(), but the bridge (an RpcTarget of that one execution). */
export type RunOptions = Record<string, unknown>;

/** A loader that records the code of every isolate it loads, and the options of its run() if asked. */
export function capturingLoader(
  real: WorkerLoader,
  seen: (code: WorkerLoaderWorkerCode) => void,
  seenOptions?: (options: RunOptions) => void,
): WorkerLoader {
  return {
    get: real.get.bind(real),
    load(code: WorkerLoaderWorkerCode) {
      seen(code);
      const worker = real.load(code);
      if (!seenOptions) return worker;
      return {
        getEntrypoint() {
          const entry = worker.getEntrypoint() as unknown as {
            run(o: RunOptions): Promise<unknown>;
            stop(): Promise<void>;
          };
          return {
            run({ bridge: _bridge, ...options }: RunOptions) {
              seenOptions(options);
              return entry.run({ bridge: _bridge, ...options });
            },
            stop: () => entry.stop(),
          };
        },
      };
    },
  } as WorkerLoader;
}
