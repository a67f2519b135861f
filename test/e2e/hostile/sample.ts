/**
 * The shape of a hostile-code sample and the assertions samples share. Each corpus file exports an array of samples;
 * hostile.test.ts runs every one in a single session, then runs a normal program in that session to prove it survived.
 */
import assert from "node:assert/strict";

/** The attack classes of SECURITY.md that can run locally (memory bombs crash local workerd; see README.md). */
export type HostileClass =
  | "cpu"
  | "recursion"
  | "capability"
  | "smuggling"
  | "egress"
  | "codegen"
  | "flood"
  | "deep"
  | "late"
  | "names"
  | "approval"
  | "routes"
  | "shared"
  | "regex"
  | "prepare";

/** What `run()` (test/support/gateway.ts) returns: execute_code's structuredContent plus isError and the text. */
export interface Execution {
  ok: boolean;
  isError: boolean;
  text: string;
  result?: any;
  logs: string[];
  warnings?: Array<{ line?: number; column?: number; message: string }>;
  error?: { kind: string; message: string; line?: number; column?: number };
  tool_calls: Array<{ server: string; tool: string; status: string; error?: string }>;
  duration_ms: number;
}

/** Addresses a sample may aim at (egress samples try to reach them directly). */
export interface SampleContext {
  upstreamUrl: string;
  gatewayUrl: string;
}

export interface Sample {
  name: string;
  class: HostileClass;
  code: string | ((ctx: SampleContext) => string);
  /** Extra execute_code arguments, e.g. `{ timeout_ms: 500 }`. */
  args?: Record<string, unknown>;
  /** The exact outcome: ok or error kind, message, result. */
  expect(r: Execution): void;
  /** Every entry of tool_calls as `server.tool:status`, in order (default: none). */
  calls?: string[];
  /** tools/call requests the test upstream receives because of this sample (checked after settleMs). */
  upstreamCalls?: number;
  /** How long to wait after the execution before counting the upstream's calls (late work). */
  settleMs?: number;
}

/** The execution succeeded and returned exactly `value`. */
export const returns =
  (value: unknown) =>
  (r: Execution): void => {
    assert.equal(r.isError, false, r.text);
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.result, value);
  };

/** The execution succeeded and returned a string matching `pattern`. */
export const returnsMatching =
  (pattern: RegExp) =>
  (r: Execution): void => {
    assert.equal(r.isError, false, r.text);
    assert.equal(typeof r.result, "string", r.text);
    assert.match(r.result, pattern);
  };

/** The execution failed with this error kind and a message matching `pattern` (and, if given, at `line`). */
export const fails =
  (kind: string, pattern: RegExp, line?: number) =>
  (r: Execution): void => {
    assert.equal(r.isError, true, r.text);
    assert.equal(r.ok, false, r.text);
    assert.equal(r.error?.kind, kind, r.text);
    assert.match(r.error!.message, pattern);
    if (line !== undefined) assert.equal(r.error?.line, line, r.text);
  };

/** Runs several expectations in order. */
export const all =
  (...checks: Array<(r: Execution) => void>) =>
  (r: Execution): void => {
    for (const check of checks) check(r);
  };

/** The step-budget error every runaway sample must end with. */
export const STEP_BUDGET = /exceeded its step budget \(2000000 steps.*look for an infinite loop/;

/** The error workerd gives for any network access from the sandbox (globalOutbound: null). */
export const NO_INTERNET = /not permitted to access the internet/;

/** The gateway's own error for the sandbox's network APIs (worker-loader/no-network.js), in front of workerd's. */
export const NO_NETWORK = /is not available: the sandbox has no network\. Reach the outside through tools/;

/** The error the sandbox gives for Node.js and Cloudflare modules reached through process.getBuiltinModule. */
export const NO_BUILTIN_MODULES =
  /process\.getBuiltinModule \(Node\.js and Cloudflare modules\) is not available in the sandbox/;
