/**
 * @module sandbox/live-execution
 * The host's record of one running execution. Every tool call from the sandbox passes through here: refused once
 * the execution has ended or a limit is reached, checked, sent upstream with a timeout, and recorded honestly
 * (`ok`, `error`, `timeout` when the effect is unknown, `rejected` when nothing was sent). Sending is
 * src/sandbox/call-upstream.ts; waiting on a person (approval, sign-in) is src/sandbox/human-waits.ts.
 */

import type { Limits } from "../config";
import { AuthorizationRequiredError } from "../registry/authorization-required";
import type { Catalog, Registry } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import { morePermission } from "../registry/step-up-scope";
import { needsTasksError } from "../registry/task-support";
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
import { parseBridgeJson } from "./bridge-json";
import { parseNotificationBatch } from "./bridge-notifications";
import { callUpstream } from "./call-upstream";
import { type ExecutionEvent, keptLine } from "./execution-events";
import type { BridgeReply, ToolCallRecord, ToolCallStatus } from "./execution-types";
import { type Approver, HumanWaits, type SignIn } from "./human-waits";
import { NOTIFICATION_OVERHEAD_BYTES } from "./notification-budget";
import { SuggestBudget } from "./prepare-suggest";
import { validateArgs } from "./validate-args";

const MAX_ARGS_BYTES = 1024 * 1024;

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
  /**
   * Rewrites a console line streamed live as the result's logs are rewritten (a logged stack names the agent's lines,
   * src/sandbox/log-frames.ts), so the client sees one wording live and in the result.
   */
  mapLog?: (line: string) => string;
}

/** One record of this execution's trace: what the reply and the history show, with the approval audit. */
type LiveCallRecord = ToolCallRecord & { approval?: ApprovalAudit; replayed?: boolean };

export class LiveExecution {
  readonly id: string;
  readonly calls: LiveCallRecord[] = [];
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
  #ended = false;
  #hostOps = 0;
  /** Tool calls being handled on the host right now (the sandbox bounds them first; this counts again). */
  #calling = 0;
  #notifyBatches = 0;
  /** Calls admitted so far, counted on arrival: calls run concurrently, so `calls` (filled on completion) lags. */
  #admitted = 0;
  #deps: LiveExecutionDeps;
  #replay: ReplayLog;
  /** Approvals and sign-ins this execution waits on a person for, and its suspension when no one can be asked. */
  readonly #waits: HumanWaits;
  /** The record of each kind of refusal, by JSON [server, tool, error] (see recordRefused). */
  readonly #refused = new Map<string, LiveCallRecord>();
  /**
   * "Did you mean" work for every refused argument of this execution together: a program can have thousands of calls
   * refused (up to max_tool_calls), and each message's search alone is bounded, not their sum. Skills' inputs checked
   * from the sandbox (src/session/gateway-ops.ts) spend from it too.
   */
  readonly suggestions = new SuggestBudget();
  /** Calls sent upstream and not answered yet; those still here when the execution ends are reported by end(). */
  readonly #inFlight = new Set<{ record: (status: ToolCallStatus, error?: string) => void; reported: boolean }>();

  constructor(id: string, deps: LiveExecutionDeps) {
    this.id = id;
    this.#deps = deps;
    this.skills = deps.skills ?? new Map();
    this.#replay = new ReplayLog(deps.replay);
    this.#waits = new HumanWaits(deps, () => this.#ended);
    this.suspension = this.#waits.suspension;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get suspended(): PendingCall | undefined {
    return this.#waits.suspended;
  }

  /** Time spent waiting for a human: it does not count against the execution's timeout. */
  get waitedMs(): number {
    return this.#waits.waitedMs;
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
    if (event.type === "log") {
      if (this.#deps.mapLog) event = { ...event, line: this.#deps.mapLog(event.line) };
      if (this.streamedLogs.length <= this.#deps.limits.max_log_lines) this.streamedLogs.push(keptLine(event));
    }
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

  /**
   * Records tool calls refused without sending them (`count` identical ones at once). Refusals of one tool for one
   * reason stay one record however they arrive (interleaved with other tools', over many notification batches): the
   * record is the first refusal's, in its place in the trace, and counts them all.
   */
  recordRefused(server: string, tool: string, error: string, count: number): void {
    const key = JSON.stringify([server, tool, error]);
    const earlier = this.#refused.get(key);
    if (earlier) {
      earlier.count = (earlier.count ?? 1) + count;
      return;
    }
    const now = Date.now();
    const record: LiveCallRecord = {
      server,
      tool,
      status: "rejected",
      ok: false,
      ms: 0,
      started_ms: now - this.startedAt,
      error,
      ...(count > 1 ? { count } : {}),
    };
    this.#refused.set(key, record);
    this.calls.push(record);
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

    // Refusals before admission come in floods (a loop past the limit): one record per tool and reason.
    const refuse = (error: string): BridgeReply => {
      this.recordRefused(server, tool, error, 1);
      return { ok: false, status: "rejected", error };
    };
    if (this.#ended || this.#waits.suspended) {
      return refuse(`${server}.${tool} was called after the execution ended; await every tool call`);
    }
    const { limits, catalog, registry } = this.#deps;
    if (this.#admitted >= limits.max_tool_calls) {
      return refuse(`tool call limit reached: max_tool_calls is ${limits.max_tool_calls} per execution`);
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
    const invalid = validateArgs(def, args, this.suggestions);
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
      const decision = await this.#waits.ask(server, tool, args, signature, prompt.text);
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
    let reply = await callUpstream(conn, server, tool, args, this.#deps);
    if (reply instanceof AuthorizationRequiredError) {
      // Nothing was sent: the connection had no usable credentials. Sign in, then send it, or stop here.
      this.#inFlight.delete(flight);
      const signedIn = await this.#waits.signIn(server, tool, args, signature, reply);
      if (!signedIn) {
        // The trace says what the execution's error says: who signs in, and for a step-up which scope is missing.
        const why = reply.scope ? ` again to grant ${morePermission(reply.scope)}` : "";
        return reject(
          `${server}.${tool} needs the user to sign in to ${server}${why}; the execution stops here and returns a handle`,
        );
      }
      this.#inFlight.add(flight);
      reply = await callUpstream(conn, server, tool, args, this.#deps);
      if (reply instanceof AuthorizationRequiredError) reply = { ok: false, status: "error", error: reply.message };
    }
    this.#inFlight.delete(flight);
    this.#record({ signature, reply });
    if (flight.reported) return reply;
    if (reply.ok) record("ok");
    else record(reply.status, reply.error);
    return reply;
  }
}
