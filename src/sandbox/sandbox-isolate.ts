/**
 * @module sandbox/sandbox-isolate
 * The Worker Loader isolate one execution runs in: fresh for every run, with no bindings and no network, under the
 * gateway's CPU and subrequest limits; and what its harness (worker-loader/harness.js) answers.
 */
import type { Limits } from "../config";
import type { CapturedScope } from "../scope/scope-capture";
import { NOTIFICATION_OVERHEAD_BYTES } from "./notification-budget";
import type { HarnessError } from "./runtime-error";

/** Compatibility date of sandbox isolates; kept equal to the Worker's own (wrangler.toml). */
export const SANDBOX_COMPATIBILITY_DATE = "2026-11-01";

/** What the harness's `run()` answers. */
export interface HarnessReply {
  ok: boolean;
  result?: string;
  /** The result's length when the harness cut it to one character over max_result_bytes. */
  resultLength?: number;
  logs: string[];
  /** `skill`: the error was thrown in that skill's code (`name@version`), and `line` is the skill's line. */
  error?: HarnessError;
  steps: number;
  /** Rejections nobody handled, described as errors are, then `{ more }` (src/sandbox/rejection-warnings.ts). */
  warnings?: unknown[];
  scope?: CapturedScope;
}

/** The harness's entrypoint: `run()` runs the program; `stop()` ends a run the host no longer waits for. */
export interface HarnessEntrypoint {
  run(options: object): Promise<HarnessReply>;
  stop(): Promise<void>;
}

/** Loads the isolate of one execution with its modules (`harness.js` the main one). */
export function loadIsolate(loader: WorkerLoader, modules: Record<string, string>, limits: Limits): HarnessEntrypoint {
  const worker = loader.load({
    compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
    // nodejs_compat and nodejs_compat_v2 are on by default since 2026-08-04; the sandbox needs neither. With v2 on,
    // the first touch of `process` (sandbox-guards.js locks it down) built Node's process module in every isolate:
    // about 1.5 ms per execution (bench/results.json). Without it there is no `process`; the guards still check.
    compatibilityFlags: ["no_nodejs_compat", "no_nodejs_compat_v2"],
    mainModule: "harness.js",
    modules,
    // No bindings and no network: fetch() and connect() throw. Tools are reachable only through the bridge run() gets.
    env: {},
    globalOutbound: null,
    // Enforced in production only; local workerd ignores it, which is why the step guard exists. Bridge calls
    // (tool calls, gateway operations, notification batches) may count as subrequests; the sandbox and the host
    // count each kind against its own limit, so this only has to be large enough for all three.
    limits: {
      cpuMs: limits.cpu_ms,
      subRequests:
        limits.max_tool_calls +
        limits.max_gateway_ops +
        Math.ceil(limits.max_notification_bytes / NOTIFICATION_OVERHEAD_BYTES) +
        32,
    },
  });
  return worker.getEntrypoint() as unknown as HarnessEntrypoint;
}
