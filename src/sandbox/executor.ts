/**
 * @module sandbox/executor
 * Runs one `execute_code`: prepares the agent's code (types stripped, imports checked, runaway guard inserted),
 * assembles a modules map with the generated bindings, and runs it in a fresh Worker Loader isolate whose only
 * binding is the tool bridge and whose network is cut off (`globalOutbound: null`). Never throws: every failure
 * is an {@link ExecuteResult} that tells the model what to fix.
 */
import gatewaySource from "../../worker-loader/gateway.js";
import harnessSource from "../../worker-loader/harness.js";
import plainDataSource from "../../worker-loader/plain-data.js";
import regexCheckSource from "../../worker-loader/regex-check.js";
import regexGuardSource from "../../worker-loader/regex-guard.js";
import runtimeSource from "../../worker-loader/runtime.js";
import sandboxGuardsSource from "../../worker-loader/sandbox-guards.js";
import type { Limits } from "../config";
import type { Catalog, Registry } from "../registry/registry";
import { prepareSkill } from "../skills/skill-check";
import { skillModules } from "../skills/skill-modules";
import type { SkillIndexEntry, SkillVersion } from "../skills/skill-types";
import type { PendingCall, RecordedCall } from "./approval";
import type { ExecuteResult, ExecutionError } from "./execution-types";
import { type Approver, type ExecutionEvent, LiveExecution, MAX_HOST_OPS } from "./live-execution";
import { prepareCode } from "./prepare";
import { GATEWAY_EXPORTS, serverExports, serverModuleSource } from "./sandbox-modules";

/** Compatibility date of sandbox isolates; kept equal to the Worker's own (wrangler.toml). */
export const SANDBOX_COMPATIBILITY_DATE = "2026-11-01";

export interface ExecutorDeps {
  loader: WorkerLoader;
  registry: Registry;
  limits: Limits;
  /** The bridge stub for one execution (a `ctx.exports.ToolBridge` with the session and execution in props). */
  bridgeFor(executionId: string): Fetcher;
  /** Where live executions are registered so the bridge can find them. */
  live: Map<string, LiveExecution>;
  /** Live progress and logs for the client (absent: nobody listens, console output is not streamed). */
  events?: (event: ExecutionEvent) => void;
  /** Asks a human about `ask` tools (elicitation); absent or returning undefined: the execution suspends. */
  approver?: Approver;
  /** Receives what a suspended execution needs to be resumed later. */
  onSuspend?: (state: { pending: PendingCall; recorded: RecordedCall[] }) => void;
  /** The skills code may import (absent: none). */
  skills?: {
    index(): Promise<Record<string, SkillIndexEntry>>;
    get(name: string, version?: number): Promise<SkillVersion | undefined>;
  };
}

export interface ExecuteRequest {
  code: string;
  timeoutMs?: number;
  /** Resumption after approval: replies of the earlier attempt, and the approved call's signature. */
  replay?: readonly RecordedCall[];
  approved?: string;
}

interface HarnessReply {
  ok: boolean;
  result?: string;
  logs: string[];
  error?: { name: string; message: string; line?: number; column?: number };
  steps: number;
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Longest error message passed on; the isolate caps it too, but what it reports is the agent's to forge. */
const MAX_ERROR_CHARS = 8_000;

function clip(text: unknown, max = MAX_ERROR_CHARS): string {
  const s = String(text);
  return s.length > max ? `${s.slice(0, max)}…[truncated: ${s.length} characters]` : s;
}

/** workerd's words when every promise the code awaits can no longer settle (nothing left to wait for). */
const HUNG = /would never generate a response|code had hung/;

/** Caps the result's JSON at max_result_bytes: an oversized result becomes a visible, truncated preview. */
function capResult(json: unknown, limits: Limits): unknown {
  if (json === undefined) return undefined;
  // The harness always sends JSON text; anything else means the agent's code tampered with the built-ins it uses.
  if (typeof json !== "string") return "[the sandbox returned a malformed result]";
  const max = limits.max_result_bytes;
  if (json.length <= max) {
    try {
      return JSON.parse(json);
    } catch {
      return "[the sandbox returned a malformed result]";
    }
  }
  return `${json.slice(0, max)}…[truncated: the result was ${json.length} bytes; max_result_bytes is ${max}. Return less, or keep data in the workspace]`;
}

function capLogs(logs: unknown, limits: Limits): string[] {
  if (!Array.isArray(logs)) return [];
  const out: string[] = [];
  let bytes = 0;
  for (const line of logs) {
    const text = String(line);
    if (out.length >= limits.max_log_lines + 1 || bytes + text.length > limits.max_log_bytes + 512) {
      out.push(
        `…[logs truncated by the host: max_log_lines ${limits.max_log_lines}, max_log_bytes ${limits.max_log_bytes}]`,
      );
      break;
    }
    bytes += text.length;
    out.push(text);
  }
  return out;
}

function moduleMap(catalog: Catalog, agent: string, servers: Iterable<string>): Record<string, string> {
  const modules: Record<string, string> = {
    "harness.js": harnessSource,
    "runtime.js": runtimeSource,
    "agent.js": agent,
    "gateway.js": gatewaySource,
    "sandbox-guards.js": sandboxGuardsSource,
    "regex-check.js": regexCheckSource,
    "regex-guard.js": regexGuardSource,
    "plain-data.js": plainDataSource,
  };
  for (const serverId of servers) {
    const entry = catalog.byServerId.get(serverId)!;
    modules[`servers/${serverId}.js`] = serverModuleSource(entry);
  }
  return modules;
}

export async function executeCode(request: ExecuteRequest, deps: ExecutorDeps): Promise<ExecuteResult> {
  const started = Date.now();
  const id = `exe_${randomHex(12)}`;
  const { limits } = deps;
  const fail = (error: ExecutionError, extra: Partial<ExecuteResult> = {}): ExecuteResult => ({
    ok: false,
    execution_id: id,
    logs: [],
    tool_calls: [],
    error,
    duration_ms: Date.now() - started,
    ...extra,
  });

  if (new TextEncoder().encode(request.code).byteLength > limits.max_code_bytes) {
    return fail({ kind: "limit", message: `code is larger than max_code_bytes (${limits.max_code_bytes})` });
  }
  const timeoutMs = Math.min(request.timeoutMs ?? limits.execution_timeout_ms, limits.execution_timeout_ms);

  const catalog = await deps.registry.catalog();
  // Skills are looked up only when the code can import one: most executions skip the round trip.
  const skillIndex = deps.skills && request.code.includes("skills/") ? await deps.skills.index() : {};
  const prepared = prepareCode({
    code: request.code,
    modules: { servers: serverExports(catalog), gateway: GATEWAY_EXPORTS, skills: skillIndex },
    guardName: `__cg_step_${randomHex(6)}`,
  });
  if (!prepared.ok) return fail(prepared.error);

  const imported = new Set<string>(prepared.imports.filter((i) => i.kind === "server").map((i) => i.module));
  const skillModulesMap: Record<string, string> = {};
  const skills = new Map<string, SkillVersion>();
  for (const imp of prepared.imports) {
    if (imp.kind !== "skill" || !deps.skills) continue;
    const version = imp.version ?? skillIndex[imp.module]?.latest;
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
    Object.assign(skillModulesMap, skillModules(skill, body.code));
    skills.set(`${skill.name}@${skill.version}`, skill);
  }
  const live = new LiveExecution(id, {
    catalog,
    registry: deps.registry,
    limits,
    skills,
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.approver ? { approver: deps.approver } : {}),
    ...(request.replay ? { replay: request.replay } : {}),
    ...(request.approved ? { approved: request.approved } : {}),
  });
  deps.live.set(id, live);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const worker = deps.loader.load({
      compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
      // nodejs_compat is on by default since 2026-08-04 and the sandbox needs none of it. Asking for less costs
      // nothing, but locally the isolate still gets `process` either way, so sandbox-guards.js locks it down regardless.
      compatibilityFlags: ["no_nodejs_compat"],
      mainModule: "harness.js",
      modules: { ...moduleMap(catalog, prepared.code, imported), ...skillModulesMap },
      env: { BRIDGE: deps.bridgeFor(id) },
      // No network: fetch() and connect() throw. Tools are reachable only through BRIDGE.
      globalOutbound: null,
      // Enforced in production only; local workerd ignores it, which is why the step guard exists. Every bridge
      // call is a subrequest: tool calls and gateway operations (state, progress, streamed log lines) alike; the
      // host counts each kind against its own limit, so this only has to be large enough for both.
      limits: { cpuMs: limits.cpu_ms, subRequests: limits.max_tool_calls + MAX_HOST_OPS + 10 },
    });
    const entrypoint = worker.getEntrypoint() as unknown as {
      run(options: object): Promise<HarnessReply>;
      stop(): Promise<void>;
    };
    // Time spent waiting for a human (approval by elicitation) does not count against the timeout.
    const deadline = new Promise<"timeout">((resolve) => {
      const check = () => {
        const left = started + timeoutMs + live.waitedMs - Date.now();
        if (left <= 0) resolve("timeout");
        else timer = setTimeout(check, left);
      };
      timer = setTimeout(check, timeoutMs);
    });
    const reply = await Promise.race([
      entrypoint.run({
        maxSteps: limits.max_steps,
        maxLogBytes: limits.max_log_bytes,
        maxLogLines: limits.max_log_lines,
        streamLogs: deps.events !== undefined,
      }),
      deadline,
      live.suspension,
    ]);
    live.end();
    if (reply === "timeout") {
      // No longer waiting: let run() return, so the isolate's request ends and workerd cancels its timers.
      Promise.resolve()
        .then(() => entrypoint.stop())
        .catch(() => {});
    }
    const base = { tool_calls: live.calls, duration_ms: Date.now() - started };
    if (reply !== "timeout" && "signature" in reply) {
      deps.onSuspend?.({ pending: reply, recorded: live.recorded });
      return fail(
        {
          kind: "approval_required",
          message: `${reply.server}.${reply.tool} needs approval before it runs. Ask the user, then call approve_call or deny_call with the handle; approving re-runs this code and replays the calls that already ran.`,
        },
        {
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
        base,
      );
    }
    const logs = capLogs(reply.logs, limits);
    if (!reply.ok) {
      const e = reply.error ?? { name: "Error", message: "unknown failure" };
      const kind = e.name === "StepBudgetError" ? "step_budget" : "runtime";
      const where = e.line ? ` (at line ${e.line} of your code)` : "";
      return fail(
        {
          kind,
          message: `${clip(e.name, 100)}: ${clip(e.message)}${where}`,
          ...(e.line ? { line: e.line, column: e.column } : {}),
        },
        { ...base, logs },
      );
    }
    return { ok: true, execution_id: id, result: capResult(reply.result, limits), logs, ...base };
  } catch (err) {
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
    return fail({ kind: "internal", message: `the sandbox failed: ${message}` }, { tool_calls: live.calls });
  } finally {
    clearTimeout(timer);
    deps.live.delete(id);
  }
}
