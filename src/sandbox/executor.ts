/**
 * @module sandbox/executor
 * Runs one `execute_code`: prepares the agent's code (types stripped, imports checked, runaway guard inserted),
 * assembles a modules map with the generated bindings, and runs it in a fresh Worker Loader isolate that has no
 * bindings and no network (`globalOutbound: null`): its only capability is the execution's bridge, an RpcTarget
 * handed to `run()`. Never throws: every failure is an {@link ExecuteResult} that tells the model what to fix.
 */
import type { Limits } from "../config";
import type { Catalog, Registry } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import { boundNames } from "../scope/scope-analysis";
import { type CapturedScope, scopeUpdate } from "../scope/scope-capture";
import type { CarriedScope, DroppedBinding, ScopeUpdate } from "../scope/scope-store";
import { carriedDeclarations } from "../scope/scope-types";
import { prepareSkill } from "../skills/skill-check";
import { skillModules } from "../skills/skill-modules";
import type { SkillIndexEntry, SkillVersion } from "../skills/skill-types";
import type { TypecheckOutcome } from "../typecheck/typecheck-program";
import type { ApprovalActor, RecordedCall, Suspension } from "./approval";
import type { ExecutionEvent } from "./execution-events";
import type { ExecuteResult, ExecutionError } from "./execution-types";
import type { Approver, SignIn } from "./human-waits";
import { carriesRegex, moduleMap } from "./isolate-modules";
import { LiveExecution } from "./live-execution";
import { mergeSelections, meteredOption } from "./metered-selection";
import { NOTIFICATION_OVERHEAD_BYTES, NotificationBudget } from "./notification-budget";
import { type ImportUse, prepareCode } from "./prepare";
import { cancelledBeforeStart } from "./refused-execution";
import { capLogs, capResult, capWarnings, clip } from "./reply-caps";
import { type RunDeadline, runDeadline } from "./run-deadline";
import { type HarnessError, runtimeError, withCarryHint } from "./runtime-error";
import { catalogFor, GATEWAY_EXPORTS, serverExports, unavailableServers } from "./sandbox-modules";
import type { ExecutionBridge } from "./tool-bridge";
import { ToolEventPacer } from "./tool-event-pacer";

/** Compatibility date of sandbox isolates; kept equal to the Worker's own (wrangler.toml). */
export const SANDBOX_COMPATIBILITY_DATE = "2026-11-01";

export interface ExecutorDeps {
  loader: WorkerLoader;
  registry: Registry;
  limits: Limits;
  /**
   * The bridge for one execution (src/sandbox/tool-bridge.ts ExecutionBridge in the session object), handed to the
   * isolate as an argument of `run()`: calls from the sandbox reach the session in one hop, with no entrypoint
   * between and no round trip before the program starts.
   */
  bridgeFor(executionId: string): ExecutionBridge;
  /**
   * Waits for this run's turn in the isolate (src/sandbox/run-gate.ts) and returns its release; absent: runs at
   * once. Throws GateFullError when too many runs are waiting.
   */
  admit?: () => Promise<() => void>;
  /** Where live executions are registered so the bridge can find them. */
  live: Map<string, LiveExecution>;
  /**
   * The client's request: once aborted (MCP `notifications/cancelled`, or the client timed out), a program that has
   * not started never does, and a running one is stopped like one that timed out.
   */
  signal?: AbortSignal;
  /** Live progress and logs for the client (absent: nobody listens, console output is not streamed). */
  events?: (event: ExecutionEvent) => void;
  /** Asks a human about `ask` tools (elicitation); absent or returning undefined: the execution suspends. */
  approver?: Approver;
  /** Asks the user to sign in to one of their servers (URL-mode elicitation); absent: the execution suspends. */
  signIn?: SignIn;
  /** Told when the program starts running (after its checks), so it can be listed while it runs. */
  onStart?: (id: string, live: LiveExecution) => void;
  /** Receives what a suspended execution needs to be resumed later (or that it cannot be, src/sandbox/approval.ts). */
  onSuspend?: (state: Suspension) => void;
  /**
   * The session's or context's carried scope (src/scope/): what the program starts with, and where what it leaves
   * is stored. Absent (skill runs): the program starts empty and nothing is kept.
   */
  scope?: {
    carried: CarriedScope;
    save(update: ScopeUpdate): { kept: string[]; dropped: DroppedBinding[] };
  };
  /** The skills code may import (absent: none). */
  skills?: {
    index(): Promise<Record<string, SkillIndexEntry>>;
    get(name: string, version?: number): Promise<SkillVersion | undefined>;
  };
  /** Sees every successful tool result (observed output types). */
  observe?: (catalog: Catalog, tool: CatalogTool, value: unknown) => void;
  /** Type-checks the program before anything runs (absent: not checked); see src/typecheck. */
  typecheck?: (program: {
    code: string;
    catalog: Catalog;
    imports: readonly ImportUse[];
    skills: ReadonlyMap<string, SkillVersion>;
    latestSkill: (name: string) => number | undefined;
    carried?: string;
  }) => Promise<TypecheckOutcome>;
}

export interface ExecuteRequest {
  code: string;
  timeoutMs?: number;
  /** Resumption after approval: replies of the earlier attempt, and the approved call's signature. */
  replay?: readonly RecordedCall[];
  approved?: string;
  approvedBy?: ApprovalActor;
  /**
   * run_skill's generated call of this skill (`name@version`, src/session/session-runs.ts runSkill): an error that
   * V8 places in that generated code (a tool call the skill returned without awaiting) is reported as the skill's.
   */
  skill?: string;
}

interface HarnessReply {
  ok: boolean;
  result?: string;
  /** The result's length when the harness cut it to one character over max_result_bytes. */
  resultLength?: number;
  logs: string[];
  /** `skill`: the error was thrown in that skill's code (`name@version`), and `line` is the skill's line. */
  error?: HarnessError;
  steps: number;
  warnings?: string[];
  scope?: CapturedScope;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** How often an execution still waiting for its turn (or for one of the user's slots) tells the client (progress). */
export const WAIT_NOTICE_MS = 10_000;

/** workerd's words when every promise the code awaits can no longer settle (nothing left to wait for). */
const HUNG = /would never generate a response|code had hung/;
/** workerd's words when one RPC's arguments or return value serialize to more than its limit (32 MiB). */
const RPC_TOO_LARGE = /Serialized RPC arguments or return values are limited to/;
const RPC_LIMIT_BYTES = 32 * 1024 * 1024;

export async function executeCode(request: ExecuteRequest, deps: ExecutorDeps): Promise<ExecuteResult> {
  const started = Date.now();
  const id = `exe_${randomHex(12)}`;
  const { limits } = deps;
  let warnings: NonNullable<ExecuteResult["warnings"]> = [];
  let typecheck: ExecuteResult["typecheck"];
  const fail = (error: ExecutionError, extra: Partial<ExecuteResult> = {}): ExecuteResult => ({
    ok: false,
    execution_id: id,
    logs: [],
    tool_calls: [],
    error,
    ...(warnings.length ? { warnings } : {}),
    ...(typecheck ? { typecheck } : {}),
    duration_ms: Date.now() - started,
    ...extra,
  });

  // Cancelled while it waited for one of the user's slots (src/session/session-runs.ts): nothing to prepare.
  if (deps.signal?.aborted) return cancelledBeforeStart();
  if (new TextEncoder().encode(request.code).byteLength > limits.max_code_bytes) {
    return fail({ kind: "limit", message: `code is larger than max_code_bytes (${limits.max_code_bytes})` });
  }
  const timeoutMs = Math.min(request.timeoutMs ?? limits.execution_timeout_ms, limits.execution_timeout_ms);

  const { catalog, waited } = await catalogFor(deps.registry, request.code, deps.scope?.carried.imports);
  if (waited) warnings.push({ message: waited });
  // Skills are looked up only when the code, or an import carried from an earlier execution, can name one: most
  // executions skip the round trip. Without the index a carried skill import would be dropped as "no longer exists".
  const carriesSkill = deps.scope?.carried.imports.some((i) => i.source.startsWith("skills/")) ?? false;
  const skillIndex: Record<string, SkillIndexEntry> =
    deps.skills && (request.code.includes("skills/") || carriesSkill) ? await deps.skills.index() : Object.create(null);
  const prepared = prepareCode({
    code: request.code,
    modules: {
      servers: serverExports(catalog),
      unavailable: unavailableServers(catalog),
      gateway: GATEWAY_EXPORTS,
      skills: skillIndex,
    },
    guardName: `__cg_step_${randomHex(6)}`,
    ...(deps.scope ? { carried: deps.scope.carried } : {}),
  });
  if (!prepared.ok) return fail(prepared.error);
  /** Stores what the program left at top level and says so in the result (only when the program ran to an end). */
  const keepScope = (captured: CapturedScope | undefined): Pick<ExecuteResult, "scope"> => {
    if (!deps.scope || !prepared.scope) return {};
    const carried = new Set(deps.scope.carried.values.map((v) => v.name));
    const { note, ...update } = scopeUpdate(prepared.scope, captured, carried);
    return { scope: { ...deps.scope.save(update), ...(note ? { note } : {}) } };
  };

  const imported = new Set<string>(prepared.imports.filter((i) => i.kind === "server").map((i) => i.module));
  const skillModulesMap: Record<string, string> = {};
  // Only the carried values the program names go into the isolate (src/scope/scope-prepare.ts narrowScope).
  const carriedIn = new Set(prepared.scope?.carriedIn);
  const carriedValues = deps.scope?.carried.values.filter((v) => carriedIn.has(v.name)) ?? [];
  let regex = prepared.regex || carriesRegex(carriedValues);
  let gateway = prepared.imports.some((i) => i.kind === "gateway");
  let metered = prepared.metered;
  const skills = new Map<string, SkillVersion>();
  for (const imp of prepared.imports) {
    if (imp.kind !== "skill" || !deps.skills) continue;
    const version = imp.version ?? (Object.hasOwn(skillIndex, imp.module) ? skillIndex[imp.module]!.latest : undefined);
    const skill = await deps.skills.get(imp.module, version);
    if (!skill) return fail({ kind: "import", message: `skill ${imp.module}@${version} does not exist` });
    const body = prepareSkill(skill.code, skill.name, catalog, `__cg_step_${randomHex(6)}`);
    if (!body.ok) {
      return fail({
        kind: "import",
        message: `skill ${skill.name}@${skill.version} no longer passes its checks against the current tools: ${body.error.message}`,
      });
    }
    for (const use of body.imports) if (use.kind === "server") imported.add(use.module);
    if (body.regex) regex = true;
    metered = mergeSelections(metered, body.metered);
    if (body.imports.some((i) => i.kind === "gateway")) gateway = true;
    Object.assign(skillModulesMap, skillModules(skill, body.code));
    skills.set(`${skill.name}@${skill.version}`, skill);
  }
  // The type check and the run are the CPU-heavy part: both wait for this run's turn in the isolate (released in
  // the run's finally, or here when the check ends it), which does not count against the program's timeout.
  let release: (() => void) | undefined;
  const waitStarted = Date.now();
  // A long wait sends progress now and then, so the client's request timeout does not run out before the turn.
  const reminder = setInterval(() => deps.events?.({ type: "waiting", ms: Date.now() - waitStarted }), WAIT_NOTICE_MS);
  try {
    release = await deps.admit?.();
  } catch (err) {
    return fail({ kind: "limit", message: (err as Error).message });
  } finally {
    clearInterval(reminder);
  }
  if (deps.typecheck) {
    const checked = await deps
      .typecheck({
        code: request.code,
        catalog,
        imports: prepared.imports,
        skills,
        latestSkill: (name) => (Object.hasOwn(skillIndex, name) ? skillIndex[name]!.latest : undefined),
        ...(deps.scope && prepared.scope
          ? {
              carried: carriedDeclarations(
                deps.scope.carried,
                prepared.scope.carriedIn,
                boundNames(prepared.scope.own),
              ),
            }
          : {}),
      })
      .catch((err: unknown) => {
        release?.();
        throw err;
      });
    warnings = [...warnings, ...checked.warnings];
    typecheck = checked.timing;
    if (!checked.ok) {
      release?.();
      return fail(checked.error);
    }
  }
  // Cancelled while it waited for its turn or was checked: it never starts.
  if (deps.signal?.aborted) {
    release?.();
    return cancelledBeforeStart();
  }
  // The check has its own budget (src/typecheck): the program's timeout starts when the program does.
  const runStarted = Date.now();
  // Every live notification of this execution, the sandbox's and the host's own tool-call events, shares one budget;
  // tool-call events are paced first (a tight loop of calls streams a summary a second, not two lines per call).
  const budget = deps.events ? new NotificationBudget(limits.max_notification_bytes, deps.events) : undefined;
  const paced = budget ? new ToolEventPacer((event) => budget.emit(event)) : undefined;
  const live = new LiveExecution(id, {
    catalog,
    registry: deps.registry,
    limits,
    skills,
    ...(paced ? { events: (event: ExecutionEvent) => paced.emit(event) } : {}),
    ...(deps.approver ? { approver: deps.approver } : {}),
    ...(deps.signIn ? { signIn: deps.signIn } : {}),
    ...(deps.observe ? { observe: (tool: CatalogTool, value: unknown) => deps.observe!(catalog, tool, value) } : {}),
    ...(request.replay ? { replay: request.replay } : {}),
    ...(request.approved ? { approved: request.approved } : {}),
    ...(request.approvedBy ? { approvedBy: request.approvedBy } : {}),
  });
  deps.live.set(id, live);
  deps.onStart?.(id, live);
  let deadline: RunDeadline | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const worker = deps.loader.load({
      compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
      // nodejs_compat and nodejs_compat_v2 are on by default since 2026-08-04; the sandbox needs neither. With v2 on,
      // the first touch of `process` (sandbox-guards.js locks it down) built Node's process module in every isolate:
      // about 1.5 ms per execution (bench/results.json). Without it there is no `process`; the guards still check.
      compatibilityFlags: ["no_nodejs_compat", "no_nodejs_compat_v2"],
      mainModule: "harness.js",
      modules: {
        ...moduleMap(catalog, prepared.code, imported, {
          regex,
          scope: (prepared.scope?.captured.length ?? 0) > 0,
          gateway,
        }),
        ...skillModulesMap,
      },
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
    const entrypoint = worker.getEntrypoint() as unknown as {
      run(options: object): Promise<HarnessReply>;
      stop(): Promise<void>;
    };
    // Time spent waiting for a human (approval by elicitation) does not count against the timeout.
    deadline = runDeadline(runStarted, timeoutMs, () => live.waitedMs);
    const reply = await Promise.race([
      entrypoint.run({
        bridge: deps.bridgeFor(id),
        maxSteps: limits.max_steps,
        maxLogBytes: limits.max_log_bytes,
        maxLogLines: limits.max_log_lines,
        maxToolCalls: limits.max_tool_calls,
        maxGatewayOps: limits.max_gateway_ops,
        maxCallsInFlight: limits.max_calls_in_flight,
        maxNotificationBytes: limits.max_notification_bytes,
        maxResultBytes: limits.max_result_bytes,
        streamLogs: deps.events !== undefined,
        metered: meteredOption(metered),
        ...(prepared.scope ? { scope: { values: carriedValues, maxValueBytes: limits.max_scope_value_bytes } } : {}),
      }),
      deadline.expired,
      live.suspension,
      new Promise<"cancelled">((resolve) => {
        onAbort = () => resolve("cancelled");
        // An abort that came before the listener fires no event for it.
        if (deps.signal?.aborted) onAbort();
        else deps.signal?.addEventListener("abort", onAbort, { once: true });
      }),
    ]);
    // The sandbox delivered its notifications before replying; the last progress value and what was dropped go
    // out now, before the result.
    paced?.finish();
    budget?.finish();
    live.end(reply === "timeout" || reply === "cancelled" ? reply : undefined);
    if (reply === "timeout" || reply === "cancelled") {
      // No longer waiting: let run() return, so the isolate's request ends and workerd cancels its timers.
      Promise.resolve()
        .then(() => entrypoint.stop())
        .catch(() => {});
    }
    const base = { tool_calls: live.calls, duration_ms: Date.now() - started };
    // Without the sandbox's reply (timeout, cancel, a suspension), the logs are the lines streamed to the host so far.
    const partialLogs = { logs: capLogs(live.streamedLogs, limits) };
    if (reply === "cancelled") {
      const done = live.calls.filter((c) => c.status !== "timeout").length;
      return fail(
        {
          kind: "cancelled",
          message: `cancelled by the client after ${Date.now() - runStarted} ms: ${done} tool call(s) had completed; any call still in flight may or may not have taken effect`,
        },
        { ...partialLogs, ...base },
      );
    }
    if (reply !== "timeout" && "signature" in reply && reply.authorization) {
      deps.onSuspend?.({ pending: reply, ...live.replayState() });
      const url = reply.authorization.url;
      return fail(
        {
          kind: "authorization_required",
          message: `${reply.server} needs the user to sign in${url ? ` at ${url}` : " (authorize_server gives the URL)"}. Ask them to, then call approve_call with the handle; it re-runs this code and replays the calls that already ran.`,
        },
        {
          ...partialLogs,
          ...base,
          status: "authorization_required",
          authorization: { server: reply.server, tool: reply.tool, ...(url ? { authorization_url: url } : {}) },
        },
      );
    }
    if (reply !== "timeout" && "signature" in reply) {
      deps.onSuspend?.({ pending: reply, ...live.replayState() });
      return fail(
        {
          kind: "approval_required",
          message: `${reply.server}.${reply.tool} needs approval before it runs. Ask the user, then call approve_call or deny_call with the handle; approving re-runs this code and replays the calls that already ran.`,
        },
        {
          ...partialLogs,
          ...base,
          status: "approval_required",
          approval: { server: reply.server, tool: reply.tool, arguments: reply.arguments },
        },
      );
    }
    if (reply === "timeout") {
      const pending = live.calls.filter((c) => c.status !== "timeout").length;
      return fail(
        {
          kind: "timeout",
          message: `Execution timed out after ${timeoutMs} ms (${timeoutMs < limits.execution_timeout_ms ? "the timeout_ms you passed" : "execution_timeout_ms"}). ${pending} tool call(s) had completed; any call still in flight may or may not have taken effect.`,
        },
        { ...partialLogs, ...base },
      );
    }
    const logs = capLogs(reply.logs, limits);
    warnings.push(...capWarnings(reply.warnings));
    // The deadline fires only between the program's steps on this thread: synchronous work (a long loop within the
    // step budget, one huge string operation) runs to its end first, and the answer may come after the timeout.
    const ranMs = Date.now() - runStarted - live.waitedMs;
    if (ranMs > timeoutMs) {
      warnings.push({
        message: `the execution ran ${ranMs} ms, past its timeout of ${timeoutMs} ms: a timeout stops a program only where it waits (an await, a tool call), so synchronous work ran to its end; split long computations or work on less data per execution`,
      });
    }
    if (!reply.ok) {
      const thrown = reply.error ?? { name: "Error", message: "unknown failure" };
      const carriedNothing = deps.scope !== undefined && deps.scope.carried.values.length === 0;
      const error = withCarryHint(runtimeError(thrown, prepared.locate, request.skill), thrown, carriedNothing);
      return fail(error, { ...base, logs, ...(error.kind === "runtime" ? keepScope(reply.scope) : {}) });
    }
    return {
      ok: true,
      execution_id: id,
      result: capResult(reply.result, limits, reply.resultLength),
      logs,
      ...(warnings.length ? { warnings } : {}),
      ...(typecheck ? { typecheck } : {}),
      ...keepScope(reply.scope),
      ...base,
    };
  } catch (err) {
    paced?.finish();
    budget?.finish();
    live.end();
    const message = clip((err as Error)?.message ?? err);
    if (HUNG.test(message)) {
      return fail(
        {
          kind: "runtime",
          message:
            "The code awaited a promise that can never settle: nothing was left that could resolve it (no timer, no tool call in flight). Make sure every promise you await is resolved or rejected.",
        },
        { tool_calls: live.calls },
      );
    }
    if (RPC_TOO_LARGE.test(message)) {
      // The program's own size, not the gateway's fault: run()'s answer (or its arguments: the carried values the
      // program names) passed workerd's cap on one RPC. The sandbox caps the scope it captures; the result is capped
      // only by the host, after the answer arrived.
      const carriedBytes = carriedValues.reduce((sum, v) => sum + v.json.length, 0);
      const done = live.calls.filter((c) => c.status !== "timeout").length;
      return fail(
        {
          kind: "limit",
          message:
            carriedBytes > RPC_LIMIT_BYTES / 2
              ? `The carried variables this code names are ${carriedBytes} characters encoded together, too much for workerd's 32 MiB cap on what one execution is handed and hands back: name fewer of them in one execution, and keep large data with state.set or in the workspace.`
              : `The execution's answer (its result, logs and top-level variables) was over workerd's 32 MiB limit, so its result was lost and no variable was kept; ${done} tool call(s) had completed and took effect. Return less (a result is cut to max_result_bytes, ${limits.max_result_bytes} bytes, anyway) and keep large data with state.set or in the workspace.`,
        },
        { tool_calls: live.calls },
      );
    }
    return fail({ kind: "internal", message: `the sandbox failed: ${message}` }, { tool_calls: live.calls });
  } finally {
    release?.();
    deadline?.cancel();
    if (onAbort) deps.signal?.removeEventListener("abort", onAbort);
    deps.live.delete(id);
  }
}
