/**
 * @module sandbox/live-execution
 * The host's record of one running execution. Every tool call from the sandbox passes through here: refused once
 * the execution has ended or a limit is reached, checked, sent upstream with a timeout, and recorded honestly
 * (`ok`, `error`, `timeout` when the effect is unknown, `rejected` when nothing was sent).
 */

import { redactValue } from "../auth/redact";
import type { Limits } from "../config";
import { AuthorizationRequiredError, authorizationCause } from "../registry/authorization-required";
import type { Catalog, Registry } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import { needsTasksError } from "../registry/task-support";
import { toToolOutcome } from "../registry/tool-result";
import type { UpstreamConnection } from "../registry/upstream";
import { isUpstreamTimeout, toolCallTimeout, toolTimeoutMessage } from "../registry/upstream-errors";
import type { SkillVersion } from "../skills/skill-types";
import {
  type ApprovalActor,
  type ApprovalAudit,
  approvalPolicy,
  audit,
  callSignature,
  MAX_RECORDED_CHARS,
  type PendingCall,
  type RecordedCall,
  ReplayLog,
  type ReplayState,
  recordedChars,
} from "./approval";
import { approvalPrompt } from "./approval-prompt";
import { parseNotificationBatch } from "./bridge-notifications";
import type { BridgeReply, ToolCallRecord, ToolCallStatus } from "./execution-types";
import { NOTIFICATION_OVERHEAD_BYTES } from "./notification-budget";
import { validateArgs } from "./validate-args";

const MAX_ARGS_BYTES = 1024 * 1024;
const TRUNCATION_MARKER = "…[truncated:";

/**
 * Parses JSON that crossed the bridge, refusing `__proto__` keys (JSON.parse makes them real own properties). A
 * reviver makes JSON.parse several times slower, and every tool call's arguments come through here: text that holds
 * neither `__proto__` nor a `\u` escape (the only other way to spell it) cannot have that key, so it skips the reviver.
 */
export function parseBridgeJson(json: string): unknown {
  if (!json.includes("__proto__") && !json.includes("\\u")) return JSON.parse(json);
  return JSON.parse(json, (key, value) => {
    if (key === "__proto__") throw new Error("the key __proto__ is not allowed");
    return value;
  });
}

/** The sandbox's console methods (worker-loader/runtime.js). */
export type ConsoleMethod = "log" | "info" | "warn" | "error" | "debug";

/**
 * A streamed console line as the kept logs write it (runtime.js pushLog): `[method] ` before all but `log`. Without
 * a method it knows, from the level.
 */
function keptLine(event: Extract<ExecutionEvent, { type: "log" }>): string {
  const method = event.method ?? (event.level === "warning" ? "warn" : event.level === "info" ? "log" : event.level);
  return method === "log" ? event.line : `[${method}] ${event.line}`;
}

/** Something the client may be told while the execution runs (progress and log notifications). */
export type ExecutionEvent =
  | { type: "tool_start"; server: string; tool: string }
  | { type: "tool_end"; server: string; tool: string; status: ToolCallStatus; ms: number; error?: string }
  /**
   * Calls of one tool that ended past the burst of a window (src/sandbox/tool-event-pacer.ts): `failed` of them did
   * not succeed, `firstError` says why the first did not; `ms` is their time added up.
   */
  | { type: "tool_calls"; server: string; tool: string; ended: number; failed: number; ms: number; firstError?: string }
  | {
      type: "log";
      level: "debug" | "info" | "warning" | "error";
      line: string;
      /** The console method that wrote it, when the sandbox said: the kept logs prefix every one but `log`. */
      method?: ConsoleMethod;
    }
  | { type: "progress"; current: number; total?: number; message?: string }
  /** Notifications not sent over max_notification_bytes (`limit` is set once the host announces them). */
  | { type: "dropped"; events: number; bytes: number; limit?: number }
  /** Past max_notification_bytes: the execution goes on, `dropped` notifications so far were coalesced. */
  | { type: "still_running"; dropped: number }
  /** Still waiting for a turn in the isolate's run gate (src/sandbox/run-gate.ts) after `ms`. */
  | { type: "waiting"; ms: number };

/**
 * Asks a human about one call; `undefined` when the client cannot be asked (no elicitation support). `prompt` shows
 * every argument (src/sandbox/approval-prompt.ts); `arguments` is the exact object that runs if approved.
 */
export type Approver = (call: {
  server: string;
  tool: string;
  arguments: unknown;
  prompt: string;
}) => Promise<"approved" | "declined"> | undefined;

/**
 * Asks the user to sign in to `server` at `url` (URL-mode elicitation) and resolves once they have, `false` when
 * they declined or did not finish in time; `undefined` when the client cannot be asked (suspend instead).
 */
export type SignIn = (server: string, url: string) => Promise<boolean> | undefined;

export interface LiveExecutionDeps {
  catalog: Catalog;
  registry: Registry;
  limits: Limits;
  skills?: ReadonlyMap<string, SkillVersion>;
  events?: (event: ExecutionEvent) => void;
  approver?: Approver;
  /** Asks for a sign-in when a call finds its server's authorization missing or expired (#15 item 4). */
  signIn?: SignIn;
  /** Replies of an earlier attempt (resumption after approval). */
  replay?: readonly RecordedCall[];
  /** The call approved through approve_call, by signature. */
  approved?: string;
  /** Who approved it (the audit): approve_call unless said otherwise (the dashboard). */
  approvedBy?: ApprovalActor;
  /** Sees every successful result (observed output types, src/typecheck/observed-types.ts). */
  observe?: (tool: CatalogTool, value: unknown) => void;
}

export class LiveExecution {
  readonly id: string;
  readonly calls: Array<ToolCallRecord & { approval?: ApprovalAudit; replayed?: boolean }> = [];
  /**
   * Replies of calls that reached the upstream, for replay if this execution is resumed; emptied for good once they
   * pass what an approval handle can keep (MAX_RECORDED_CHARS, src/sandbox/approval.ts).
   */
  readonly recorded: RecordedCall[] = [];
  /** Characters the recorded calls take as a suspension's state, counted on after they are dropped. */
  #recordedChars = 0;
  readonly startedAt = Date.now();
  /** Resolves when a call needs approval that cannot be asked now: the execution ends as approval_required. */
  readonly suspension: Promise<PendingCall>;
  /** Skill versions this execution imported, by `name@version` (for input validation on every run). */
  readonly skills: ReadonlyMap<string, SkillVersion>;
  #suspend!: (pending: PendingCall) => void;
  #suspended: PendingCall | undefined;
  #ended = false;
  #hostOps = 0;
  /** Tool calls being handled on the host right now (the sandbox bounds them first; this counts again). */
  #calling = 0;
  #notifyBatches = 0;
  /** Calls admitted so far, counted on arrival: calls run concurrently, so `calls` (filled on completion) lags. */
  #admitted = 0;
  #waitedMs = 0;
  #deps: LiveExecutionDeps;
  #replay: ReplayLog;
  #approvedUsed = false;
  /** Calls sent upstream and not answered yet; those still here when the execution ends are reported by end(). */
  readonly #inFlight = new Set<{ record: (status: ToolCallStatus, error?: string) => void; reported: boolean }>();

  constructor(id: string, deps: LiveExecutionDeps) {
    this.id = id;
    this.#deps = deps;
    this.skills = deps.skills ?? new Map();
    this.#replay = new ReplayLog(deps.replay);
    this.suspension = new Promise((resolve) => {
      this.#suspend = resolve;
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  get suspended(): PendingCall | undefined {
    return this.#suspended;
  }

  /** Time spent waiting for a human: it does not count against the execution's timeout. */
  get waitedMs(): number {
    return this.#waitedMs;
  }

  /**
   * After this, every call is rejected before it reaches an upstream (late timers, un-awaited promises). `why` is how
   * the execution ended when the host stopped it (a timeout, the client's cancel): the call was awaited, and the
   * message must not say otherwise.
   */
  end(why?: "timeout" | "cancelled"): void {
    if (this.#ended) return;
    this.#ended = true;
    const message =
      why === "timeout"
        ? "still running when the execution timed out; the request was sent, so it may or may not take effect"
        : why === "cancelled"
          ? "still running when the client cancelled the execution; the request was sent, so it may or may not take effect"
          : "still running when the execution ended (it was not awaited) or a Promise.all awaiting it had already failed; the request was sent, so it may or may not take effect";
    // A call still running upstream was sent, so its effect is unknown.
    for (const flight of this.#inFlight) {
      flight.reported = true;
      flight.record("timeout", message);
    }
    this.#inFlight.clear();
  }

  /**
   * The console lines that reached the host live (when logs are streamed), for an execution that ends without the
   * sandbox's reply (timeout, cancel): its logs would be lost otherwise. Capped by the caller (capLogs).
   */
  readonly streamedLogs: string[] = [];

  emit(event: ExecutionEvent): void {
    if (this.#ended) return;
    if (event.type === "log" && this.streamedLogs.length <= this.#deps.limits.max_log_lines)
      this.streamedLogs.push(keptLine(event));
    this.#deps.events?.(event);
  }

  /** Counts one gateway operation; returns an error message once the execution has made too many. */
  countHostOp(): string | undefined {
    const max = this.#deps.limits.max_gateway_ops;
    if (++this.#hostOps > max) {
      return `too many gateway operations: max_gateway_ops is ${max} per execution (state.*, state.last, state.result)`;
    }
    return undefined;
  }

  /**
   * Takes one batch of the sandbox's notifications (the `notify` gateway operation). Batches are not gateway
   * operations: each carries at least one event charged to the notification budget, so their number is bounded by it.
   */
  notify(argsJson: string): BridgeReply {
    const max = this.#deps.limits.max_notification_bytes;
    if (++this.#notifyBatches > Math.ceil(max / NOTIFICATION_OVERHEAD_BYTES) + 16) {
      return { ok: false, status: "rejected", error: "too many notification batches for max_notification_bytes" };
    }
    const batch = parseNotificationBatch(argsJson, 2 * max + 256 * 1024);
    if (!batch.ok) return { ok: false, status: "rejected", error: batch.error };
    for (const r of batch.refused) this.recordRefused(r.server, r.tool, r.error, r.count);
    for (const event of batch.events) this.emit(event);
    return { ok: true };
  }

  /** Records tool calls the sandbox refused without sending them (`count` identical ones in one record). */
  recordRefused(server: string, tool: string, error: string, count: number): void {
    const last = this.calls.at(-1);
    if (last?.status === "rejected" && last.server === server && last.tool === tool && last.error === error) {
      // A flood of identical refusals stays one record.
      last.count = (last.count ?? 1) + count;
      return;
    }
    const now = Date.now();
    this.calls.push({
      server,
      tool,
      status: "rejected",
      ok: false,
      ms: 0,
      started_ms: now - this.startedAt,
      error,
      ...(count > 1 ? { count } : {}),
    });
    this.emit({ type: "tool_end", server, tool, status: "rejected", ms: 0, error });
  }

  /** Keeps a call for replay, until the recorded calls pass what a resumption can carry. */
  #record(call: RecordedCall): void {
    this.#recordedChars += recordedChars(call);
    if (this.#recordedChars <= MAX_RECORDED_CHARS) this.recorded.push(call);
    else this.recorded.length = 0;
  }

  get recordedChars(): number {
    return this.#recordedChars;
  }

  /** What a resumption of this execution would replay (or that it cannot be resumed). */
  replayState(): ReplayState {
    if (this.#recordedChars > MAX_RECORDED_CHARS) return { recorded: [], recordedTooLarge: this.#recordedChars };
    return { recorded: this.recorded };
  }

  async callTool(server: string, tool: string, argsJson: string): Promise<BridgeReply> {
    const max = this.#deps.limits.max_calls_in_flight;
    if (this.#calling >= max) {
      const error = `too many tool calls in flight: max_calls_in_flight is ${max} per execution`;
      this.recordRefused(server, tool, error, 1);
      return { ok: false, status: "rejected", error };
    }
    this.#calling++;
    try {
      return await this.#callTool(server, tool, argsJson);
    } finally {
      this.#calling--;
    }
  }

  async #callTool(server: string, tool: string, argsJson: string): Promise<BridgeReply> {
    const started = Date.now();
    let approval: ApprovalAudit | undefined;
    let replayed = false;
    const record = (status: ToolCallStatus, error?: string) => {
      this.calls.push({
        server,
        tool,
        status,
        ok: status === "ok",
        ms: Date.now() - started,
        started_ms: started - this.startedAt,
        ...(error ? { error } : {}),
        ...(approval ? { approval } : {}),
        ...(replayed ? { replayed } : {}),
      });
      this.emit({ type: "tool_end", server, tool, status, ms: Date.now() - started, ...(error ? { error } : {}) });
    };
    const reject = (error: string): BridgeReply => {
      record("rejected", error);
      return { ok: false, status: "rejected", error };
    };

    if (this.#ended || this.#suspended) {
      return reject(`${server}.${tool} was called after the execution ended; await every tool call`);
    }
    const { limits, catalog, registry } = this.#deps;
    if (this.#admitted >= limits.max_tool_calls) {
      return reject(`tool call limit reached: max_tool_calls is ${limits.max_tool_calls} per execution`);
    }
    this.#admitted++;
    const def = catalog.byName.get(server)?.byUpstreamName.get(tool);
    if (!def) return reject(`unknown tool ${server}.${tool}`);
    if (def.needsTasks) return reject(needsTasksError(`${server}.${def.id}`));
    if (argsJson.length > MAX_ARGS_BYTES) {
      return reject(`${server}.${tool}: arguments are ${argsJson.length} bytes; the limit is ${MAX_ARGS_BYTES}`);
    }
    let args: Record<string, unknown>;
    try {
      args = parseBridgeJson(argsJson) as Record<string, unknown>;
    } catch (err) {
      return reject(`${server}.${tool}: invalid arguments: ${(err as Error).message}`);
    }
    const invalid = validateArgs(def, args);
    if (invalid) return reject(`${server}.${tool}: ${invalid} (get_tool_details shows its types)`);

    this.emit({ type: "tool_start", server, tool });
    const signature = callSignature(server, tool, argsJson);
    const earlier = this.#replay.take(signature);
    if (earlier) {
      replayed = true;
      record(earlier.ok ? "ok" : earlier.status, earlier.ok ? undefined : earlier.error);
      this.#record({ signature, reply: earlier });
      return earlier;
    }

    const conn = registry.connection(server);
    // A user's server removed (remove_server, another session) while this execution ran.
    if (!conn) return reject(`${server} is no longer available: it was removed while this code ran`);
    const policy = approvalPolicy(conn.config, def);
    if (policy === "deny") {
      approval = audit("denied", "policy");
      return reject(`${server}.${tool} is denied by the gateway's approval policy; it cannot be called from code`);
    }
    if (policy === "ask") {
      // Arguments the user cannot be shown are never sent: the call is refused rather than asked about.
      const prompt = approvalPrompt(server, tool, args);
      if (!prompt.ok) {
        approval = audit("declined", "policy");
        return reject(prompt.error);
      }
      const decision = await this.#ask(server, tool, args, signature, prompt.text);
      if (decision === "suspended") {
        approval = audit("pending", "policy");
        return reject(`${server}.${tool} needs approval; the execution stops here and returns an approval handle`);
      }
      approval = decision;
      if (decision.decision === "declined") return reject(`${server}.${tool} was declined by the user`);
    } else {
      approval = audit("allowed", "policy");
    }

    const flight = { record, reported: false };
    this.#inFlight.add(flight);
    let reply = await this.#send(conn, server, tool, args);
    if (reply instanceof AuthorizationRequiredError) {
      // Nothing was sent: the connection had no usable credentials. Sign in, then send it, or stop here.
      this.#inFlight.delete(flight);
      const signedIn = await this.#signIn(server, tool, args, signature, reply);
      if (!signedIn) {
        return reject(
          `${server}.${tool} needs you to sign in to ${server}; the execution stops here and returns a handle`,
        );
      }
      this.#inFlight.add(flight);
      reply = await this.#send(conn, server, tool, args);
      if (reply instanceof AuthorizationRequiredError) reply = { ok: false, status: "error", error: reply.message };
    }
    this.#inFlight.delete(flight);
    this.#record({ signature, reply });
    if (flight.reported) return reply;
    if (reply.ok) record("ok");
    else record(reply.status, reply.error);
    return reply;
  }

  async #ask(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signature: string,
    prompt: string,
  ): Promise<ApprovalAudit | "suspended"> {
    if (this.#deps.approved === signature && !this.#approvedUsed) {
      this.#approvedUsed = true;
      return audit("approved", this.#deps.approvedBy ?? "user (approve_call)");
    }
    const waitStart = Date.now();
    const asked = this.#deps.approver?.({ server, tool, arguments: args, prompt });
    if (asked) {
      try {
        const answer = await asked;
        return audit(answer === "approved" ? "approved" : "declined", "user (elicitation)");
      } catch {
        // The client could not answer (elicitation failed): fall back to an approval handle.
      } finally {
        this.#waitedMs += Date.now() - waitStart;
      }
    }
    this.#suspended = { server, tool, arguments: args, signature };
    this.#suspend(this.#suspended);
    return "suspended";
  }

  /** Waits for a sign-in the user is asked for (not counted against the timeout), or suspends the execution. */
  async #signIn(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signature: string,
    needed: AuthorizationRequiredError,
  ): Promise<boolean> {
    const waitStart = Date.now();
    const asked = needed.authorization_url ? this.#deps.signIn?.(server, needed.authorization_url) : undefined;
    if (asked) {
      try {
        if (await asked) return !this.#ended;
      } catch {
        // The client could not be asked after all: fall back to a handle.
      } finally {
        this.#waitedMs += Date.now() - waitStart;
      }
    }
    if (this.#ended || this.#suspended) return false;
    const url = needed.authorization_url;
    this.#suspended = {
      server,
      tool,
      arguments: args,
      signature,
      authorization: { status: needed.status, ...(url ? { url } : {}) },
    };
    this.#suspend(this.#suspended);
    return false;
  }

  /** Sends one call; a missing or expired sign-in comes back as the error itself (nothing was sent). */
  async #send(
    conn: UpstreamConnection,
    server: string,
    tool: string,
    args: Record<string, unknown>,
  ): Promise<BridgeReply | AuthorizationRequiredError> {
    const timeout = toolCallTimeout(conn.config, this.#deps.limits);
    try {
      const outcome = toToolOutcome(await conn.callTool(tool, args, timeout.ms));
      if (!outcome.ok) return { ok: false, status: "error", error: `${server}.${tool} failed: ${outcome.message}` };
      // The result was redacted as received; text parsed as JSON here is a decoding of it, so it is checked again.
      const value = this.#capValue(server, tool, redactValue(outcome.value, conn.secrets));
      if (!value.ok) return { ok: false, status: "error", error: value.error };
      const def = this.#deps.observe && this.#deps.catalog.byName.get(server)?.byUpstreamName.get(tool);
      if (def) this.#deps.observe!(def, outcome.value);
      return { ok: true, ...(value.json === undefined ? {} : { value: value.json }) };
    } catch (err) {
      const auth = authorizationCause(err);
      if (auth instanceof AuthorizationRequiredError) return auth;
      if (isUpstreamTimeout(err)) {
        return { ok: false, status: "timeout", error: toolTimeoutMessage(`${server}.${tool}`, timeout) };
      }
      return {
        ok: false,
        status: "error",
        error: `${server}.${tool} failed: ${(err as Error)?.message ?? String(err)}`,
      };
    }
  }

  /** Applies max_tool_result_bytes: text is cut with a visible marker; structured data over the cap is an error. */
  #capValue(server: string, tool: string, value: unknown): { ok: true; json?: string } | { ok: false; error: string } {
    if (value === undefined) return { ok: true };
    const max = this.#deps.limits.max_tool_result_bytes;
    if (typeof value === "string" && value.length > max) {
      const cut = `${value.slice(0, max)}${TRUNCATION_MARKER} ${value.length} characters; max_tool_result_bytes is ${max}]`;
      return { ok: true, json: JSON.stringify(cut) };
    }
    const json = JSON.stringify(value);
    if (json.length > max) {
      return {
        ok: false,
        error: `${server}.${tool} returned ${json.length} bytes, over max_tool_result_bytes (${max}); ask for less (filters, pagination)`,
      };
    }
    return { ok: true, json };
  }
}
