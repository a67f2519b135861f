/**
 * @module sandbox/executor
 * Runs one `execute_code`: prepares the agent's code (types stripped, imports checked, runaway guard inserted),
 * assembles a modules map with the generated bindings, and runs it in a fresh Worker Loader isolate that has no
 * bindings and no network (`globalOutbound: null`): its only capability is the execution's bridge, an RpcTarget
 * handed to `run()`. Never throws: every failure is an {@link ExecuteResult} that tells the model what to fix.
 * Its contract is src/sandbox/executor-types.ts; the isolate is loaded by src/sandbox/sandbox-isolate.ts.
 */
import type { CatalogTool } from "../registry/registry-types";
import { signInNeeded } from "../registry/step-up-scope";
import { boundNames } from "../scope/scope-analysis";
import { type CapturedScope, scopeUpdate } from "../scope/scope-capture";
import { carriedDeclarations } from "../scope/scope-types";
import { cannotRunMessage, currentDrift, prepareSkill } from "../skills/skill-check";
import { skillModules } from "../skills/skill-modules";
import type { SkillIndexEntry, SkillVersion } from "../skills/skill-types";
import { carriedSummary, withHints } from "./error-hints";
import type { ExecutionEvent } from "./execution-events";
import type { ExecuteResult, ExecutionError } from "./execution-types";
import type { ExecuteRequest, ExecutorDeps } from "./executor-types";
import { carriesRegex, moduleMap } from "./isolate-modules";
import { LiveExecution } from "./live-execution";
import { LogFrames } from "./log-frames";
import { mergeSelections, meteredOption, needsMoreMetered } from "./metered-selection";
import { NotificationBudget } from "./notification-budget";
import { prepareCode } from "./prepare";
import { cancelledBeforeStart } from "./refused-execution";
import { rejectionWarnings } from "./rejection-warnings";
import { capLogs, capResult, clip } from "./reply-caps";
import { type RunDeadline, runDeadline } from "./run-deadline";
import { runFailure } from "./run-failure";
import { runtimeError } from "./runtime-error";
import { loadIsolate } from "./sandbox-isolate";
import { catalogFor, GATEWAY_EXPORTS, serverExports, taskOnlyTools, unavailableServers } from "./sandbox-modules";
import { ToolEventPacer } from "./tool-event-pacer";

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** How often an execution still waiting for its turn (or for one of the user's slots) tells the client (progress). */
export const WAIT_NOTICE_MS = 10_000;

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
  const codeBytes = new TextEncoder().encode(request.code).byteLength;
  if (codeBytes > limits.max_code_bytes) {
    return fail({
      kind: "limit",
      message: `code is ${codeBytes} bytes, larger than max_code_bytes (${limits.max_code_bytes}): keep data in the workspace or split the program`,
    });
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
      taskOnly: taskOnlyTools(catalog),
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
    const { note, ...update } = scopeUpdate(prepared.scope, captured, carried, id);
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
      // A tool it calls is gone (its server removed): say so, as run_skill does, rather than the import's error.
      const gone = cannotRunMessage(skill, currentDrift(skill, catalog));
      return fail({
        kind: "import",
        message: gone
          ? `skill ${gone}`
          : `skill ${skill.name}@${skill.version} no longer passes its checks against the current tools: ${body.error.message}`,
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
        imports: [...prepared.imports, ...prepared.typeImports],
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
  // Logged stacks read the same live and in the result, each location looked up once (src/sandbox/log-frames.ts).
  const logFrames = new LogFrames(prepared);
  const live = new LiveExecution(id, {
    mapLog: (line) => logFrames.line(line),
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
    const entrypoint = loadIsolate(
      deps.loader,
      {
        ...moduleMap(catalog, prepared.code, imported, {
          regex,
          scope: (prepared.scope?.captured.length ?? 0) > 0,
          gateway,
          meteredMore: needsMoreMetered(metered),
        }),
        ...skillModulesMap,
      },
      limits,
    );
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
      const { url, scope } = reply.authorization;
      return fail(
        {
          kind: "authorization_required",
          message: `${signInNeeded(reply.server, url, scope)}. Ask them to, then call approve_call with the handle; it re-runs this code and replays the calls that already ran.`,
        },
        {
          ...partialLogs,
          ...base,
          status: "authorization_required",
          authorization: {
            server: reply.server,
            tool: reply.tool,
            ...(url ? { authorization_url: url } : {}),
            ...(scope ? { scope } : {}),
          },
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
          message: `Execution timed out after ${timeoutMs} ms (${timeoutMs < limits.execution_timeout_ms ? "the timeout_ms you passed" : request.timeoutMs !== undefined && request.timeoutMs > timeoutMs ? `execution_timeout_ms: the gateway's cap on the ${request.timeoutMs} ms you asked for` : "execution_timeout_ms"}). ${pending} tool call(s) had completed; any call still in flight may or may not have taken effect.`,
        },
        { ...partialLogs, ...base },
      );
    }
    const logs = logFrames.lines(capLogs(reply.logs, limits));
    warnings.push(...rejectionWarnings(reply.warnings, prepared, request.skill));
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
      const error = withHints(runtimeError(thrown, prepared, request.skill), thrown, {
        catalog,
        imports: [...(prepared.scope?.own.imports ?? []), ...(deps.scope?.carried.imports ?? [])],
        ...(deps.scope ? { carried: carriedSummary(deps.scope.carried) } : {}),
      });
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
    return fail(runFailure(message, carriedValues, live.calls, limits), { tool_calls: live.calls });
  } finally {
    release?.();
    deadline?.cancel();
    if (onAbort) deps.signal?.removeEventListener("abort", onAbort);
    deps.live.delete(id);
  }
}
