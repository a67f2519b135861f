/**
 * @module session/session-runs
 * The executions of one session or context: the user's execution slot (with the user's rate limit), the session's
 * own slots, the run itself (the executor with this session's registry, skills, carried top level, type check, run
 * gate, notifications and approvals), its record in the user's history, and approve_call's re-runs. The session object
 * routes MCP requests and the sandbox bridge's calls here; what runs lives in {@link SessionRuns.live}.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import type { GatewayConfig } from "../config";
import type { Env } from "../env";
import type { Registry } from "../registry/registry";
import type { ApprovalActor, RecordedCall, Suspension } from "../sandbox/approval";
import type { ExecutionEvent } from "../sandbox/execution-events";
import type { ExecuteResult } from "../sandbox/execution-types";
import { executeCode, WAIT_NOTICE_MS } from "../sandbox/executor";
import type { LiveExecution } from "../sandbox/live-execution";
import { cancelledBeforeStart, refusedExecution } from "../sandbox/refused-execution";
import { runGate } from "../sandbox/run-gate";
import { type BridgeHost, ExecutionBridge } from "../sandbox/tool-bridge";
import type { ScopeSnapshots } from "../scope/scope-snapshots";
import type { ScopeStore } from "../scope/scope-store";
import { QueueFullError, Semaphore } from "../shared/semaphore";
import type { SkillService } from "../skills/skill-service";
import type { SkillVersion } from "../skills/skill-types";
import type { ObservedTypes } from "../typecheck/observed-types";
import { sessionTypechecker } from "../typecheck/session-typechecker";
import { ExecutionSlot } from "../user/execution-slot";
import { stillWaitingResult } from "../user/sign-in-wait";
import type { UserApi } from "../user/user-api";
import type { ApprovedExecution, StoredRunSpec, SuspendedExecution } from "../user/user-types";
import type { LastExecution } from "./last-execution";
import { createApprover, createNotifier, type ToolExtra } from "./notifier";
import { sessionObjectName } from "./session-headers";
import type { SessionMeta } from "./session-meta";
import type { SessionObject } from "./session-object";
import { createSignIn } from "./sign-in";

/** Everything needed to run (or re-run) one execution. */
export interface RunSpec extends StoredRunSpec {
  replay?: readonly RecordedCall[];
  approved?: string;
  approvedBy?: ApprovalActor;
  /** The approval handle this run re-runs (its first run's record names this one); never stored. */
  rerunOf?: string;
  /** The MCP request being served (for notifications and elicitation); never stored. */
  extra?: ToolExtra | undefined;
}

function storedSpec({ code, kind, skill, timeoutMs }: RunSpec, scopeFrom?: string): StoredRunSpec {
  return {
    code,
    kind,
    ...(skill ? { skill } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(scopeFrom ? { scopeFrom } : {}),
  };
}

/** What the session object lends its runs: its bindings, configuration, per-user services and MCP server. */
export interface RunHost {
  env: Env;
  config(): GatewayConfig;
  user(meta: SessionMeta): UserApi;
  registry(meta: SessionMeta): Registry;
  skills(meta: SessionMeta): SkillService;
  /** The session's MCP server while a 2025-11-25 session is open (approvals and sign-in ask the client through it). */
  mcp(): { server: McpServer } | undefined;
  /** Where the sandbox's bridge sends tool calls and gateway operations (the session object's RPC methods). */
  bridge: BridgeHost;
  /** The gateway's origin as this session's client reaches it ("" before its first request since it woke). */
  origin(): string;
}

/** The session's storage the runs read and write. */
export interface RunStores {
  last: LastExecution;
  scope: ScopeStore;
  scopeSnapshots: ScopeSnapshots;
  observed: ObservedTypes;
  checkerSlot: Semaphore;
}

export class SessionRuns {
  /** Executions in progress, by id (the bridge and the dashboard's live view look them up). */
  readonly live = new Map<string, LiveExecution>();
  readonly #host: RunHost;
  readonly #last: LastExecution;
  readonly #scope: ScopeStore;
  readonly #scopeSnapshots: ScopeSnapshots;
  readonly #observed: ObservedTypes;
  readonly #checkerSlot: Semaphore;
  #slots: Semaphore | undefined;

  constructor(host: RunHost, stores: RunStores) {
    this.#host = host;
    this.#last = stores.last;
    this.#scope = stores.scope;
    this.#scopeSnapshots = stores.scopeSnapshots;
    this.#observed = stores.observed;
    this.#checkerSlot = stores.checkerSlot;
  }

  /** Ends every execution in progress (the session was deleted). */
  endAll(): void {
    for (const live of this.live.values()) live.end();
  }

  /** Runs a skill version as an execution of its own, recorded in the history as a skill run. */
  runSkill(meta: SessionMeta, skill: SkillVersion, input: unknown, extra?: ToolExtra): Promise<ExecuteResult> {
    // JSON is valid JavaScript, so the input is embedded as a literal; the wrapper validates it on the host.
    const code = `import { ${skill.name} } from "skills/${skill.name}@${skill.version}";\nreturn await ${skill.name}(${JSON.stringify(input)});`;
    return this.execute(meta, {
      code,
      kind: "skill",
      skill: `${skill.name}@${skill.version}`,
      ...(extra ? { extra } : {}),
    });
  }

  /**
   * Runs one execution holding one of the session's slots (max_concurrent_executions, queued up to
   * max_queued_executions) and one of the user's (src/user/execution-slots.ts, which also applies the user's
   * execute_rate_limit), then records it.
   */
  async execute(meta: SessionMeta, spec: RunSpec): Promise<ExecuteResult> {
    this.#inFlight++;
    try {
      return await this.#execute(meta, spec);
    } finally {
      this.#inFlight--;
    }
  }

  /**
   * Whether an execution is anywhere between its request and its record: waiting for a slot, checked, running, or
   * being recorded. The retention alarm (session-retention.ts) leaves such a session's storage alone.
   */
  busy(): boolean {
    return this.#inFlight > 0 || this.live.size > 0;
  }

  #inFlight = 0;

  async #execute(meta: SessionMeta, spec: RunSpec): Promise<ExecuteResult> {
    const limits = this.#host.config().limits;
    this.#slots ??= new Semaphore(limits.max_concurrent_executions, limits.max_queued_executions);
    let release: () => void;
    try {
      release = await this.#slots.acquire();
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      return refusedExecution(
        `busy, retry shortly: this session already runs ${limits.max_concurrent_executions} executions (max_concurrent_executions) with ${limits.max_queued_executions} waiting (max_queued_executions)`,
      );
    }
    try {
      return await this.#runWithSlot(meta, spec);
    } finally {
      release();
    }
  }

  /** Runs holding one of the user's execution slots (max_concurrent_executions_per_user), then records the run. */
  async #runWithSlot(meta: SessionMeta, spec: RunSpec): Promise<ExecuteResult> {
    // Cancelled (or timed out by its client) while it waited for the session's slot: it does not queue for the
    // user's. One cancelled in that queue is stopped by the executor as it begins (the request's signal).
    if (spec.extra?.mcpReq.signal.aborted) return cancelledBeforeStart();
    // One notifier for the whole request: progress values must only increase, across the wait and the run.
    const events = spec.extra ? createNotifier(spec.extra, meta.kind !== "context") : undefined;
    // The wait for a slot may last execution_timeout_ms: progress now and then keeps the client's request alive.
    const waitStarted = Date.now();
    const reminder =
      events && setInterval(() => events({ type: "waiting", ms: Date.now() - waitStarted }), WAIT_NOTICE_MS);
    let slot: ExecutionSlot | string;
    try {
      slot = await ExecutionSlot.take(this.#host.user(meta), sessionObjectName(meta.user, meta.session));
    } finally {
      clearInterval(reminder);
    }
    if (typeof slot === "string") return refusedExecution(slot);
    try {
      const startedAt = Date.now();
      const { code, kind, skill, rerunOf } = spec;
      const about = { code, kind, ...(skill ? { skill } : {}), startedAt, ...(rerunOf ? { rerunOf } : {}) };
      const onStart = (id: string) => slot.started({ execution_id: id, ...about });
      const { result, suspended } = await this.#run(meta, spec, onStart, events);
      // Ended before it started (cancelled while it waited for its turn): nothing to record or remember.
      if (!result.execution_id) return result;
      await slot.finish({ result, ...about }, suspended);
      this.#last.set(result);
      return result;
    } finally {
      await slot.release();
    }
  }

  async #run(
    meta: SessionMeta,
    spec: RunSpec,
    onStart?: (id: string) => void,
    events?: (event: ExecutionEvent) => void,
  ): Promise<{ result: ExecuteResult; suspended?: SuspendedExecution }> {
    const mcp = this.#host.mcp();
    let suspended: Suspension | undefined;
    // Programs carry their top level to the next execution of this session; skill runs start empty and keep nothing.
    // An approved re-run starts with the scope its first run saw.
    const limits = this.#host.config().limits;
    const carried =
      spec.kind === "code"
        ? ((spec.scopeFrom ? this.#scopeSnapshots.get(spec.scopeFrom) : undefined) ?? this.#scope.snapshot())
        : undefined;
    const result = await executeCode(
      {
        code: spec.code,
        ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
        ...(spec.replay ? { replay: spec.replay } : {}),
        ...(spec.approved ? { approved: spec.approved } : {}),
        ...(spec.approvedBy ? { approvedBy: spec.approvedBy } : {}),
        ...(spec.kind === "skill" && spec.skill ? { skill: spec.skill } : {}),
      },
      {
        ...(onStart ? { onStart } : {}),
        loader: this.#host.env.LOADER,
        registry: this.#host.registry(meta),
        limits: this.#host.config().limits,
        live: this.live,
        ...(spec.extra ? { signal: spec.extra.mcpReq.signal } : {}),
        skills: this.#host.skills(meta),
        ...(carried ? { scope: { carried, save: (update) => this.#scope.apply(update, limits) } } : {}),
        ...(spec.kind === "code"
          ? { typecheck: sessionTypechecker(this.#host.env, this.#host.config(), this.#checkerSlot, this.#observed) }
          : {}),
        observe: (catalog, tool, value) => this.#observed.record(catalog, tool, value),
        bridgeFor: (execution) => new ExecutionBridge(this.#host.bridge, execution),
        admit: () => {
          const place = sessionObjectName(meta.user, meta.session);
          // Granted from another object's context: an RPC wakes the waiter in this one (src/sandbox/run-gate.ts).
          const wake = () => {
            const self = this.#host.env.SESSION.getByName(place) as unknown as Pick<SessionObject, "wakeGate">;
            self.wakeGate().catch(() => {});
          };
          return runGate.admit(meta.user, place, wake);
        },
        // 2026-07-28 contexts get progress only, and approvals through input_required (no approver: suspend).
        ...(events ? { events } : {}),
        ...(mcp && spec.extra && meta.kind !== "context" ? { approver: createApprover(mcp.server, spec.extra) } : {}),
        ...(mcp && spec.extra && meta.kind !== "context"
          ? { signIn: createSignIn(mcp.server, spec.extra, (server) => this.#host.user(meta).authStatus(server)) }
          : {}),
        onSuspend: (state) => {
          suspended = state;
        },
      },
    );
    if (!suspended || !(result.approval || result.authorization)) return { result };
    if (carried && result.execution_id) this.#scopeSnapshots.save(result.execution_id, carried);
    return { result, suspended: { spec: storedSpec(spec, carried && result.execution_id), ...suspended } };
  }

  /**
   * approve_call: re-runs the suspended code, replaying the calls that already ran, with the pending call allowed (a
   * handle waiting for a sign-in not done yet re-runs nothing: src/user/sign-in-wait.ts).
   * The handle belongs to the user, so it may come from another of the user's sessions: the re-run happens in the
   * session that ran the code, where its `state` lives.
   */
  async approve(
    meta: SessionMeta,
    handle: string,
    extra?: ToolExtra,
    by?: ApprovalActor,
  ): Promise<ExecuteResult | string> {
    const user = this.#host.user(meta);
    const taken = await user.approveCall(handle, by, this.#host.origin() || undefined);
    if (typeof taken === "string") return taken;
    // A sign-in the user has not done yet: nothing re-runs, and the handle stays for when they have.
    if ("still_waiting" in taken) return stillWaitingResult(taken.still_waiting);
    // The re-run names itself to the user object as it starts and ends (rerunOf), as a dashboard approval's does.
    if (taken.session === sessionObjectName(meta.user, meta.session)) return this.resume(meta, taken, extra);
    // Live progress and elicitation stay with this request's stream; the other session runs without them.
    const origin = this.#host.env.SESSION.getByName(taken.session) as unknown as Pick<SessionObject, "resumeApproved">;
    try {
      return await origin.resumeApproved(taken);
    } catch (err) {
      // It never got going there (that session's storage expired, the call failed): as on the dashboard, the handle
      // is given back unless the re-run had started, so the record does not say "approved" for a re-run that never was.
      await user.reopenApproval(handle).catch(() => {});
      throw err;
    }
  }

  /** Re-runs an approved execution of this session (approve_call here, or resumeApproved from another session). */
  async resume(meta: SessionMeta, approved: ApprovedExecution, extra?: ToolExtra): Promise<ExecuteResult> {
    const result = await this.execute(meta, {
      ...approved.spec,
      replay: approved.recorded,
      // A sign-in handle resumes the code; it approves no call.
      ...(approved.pending.authorization ? {} : { approved: approved.pending.signature }),
      ...(approved.by ? { approvedBy: approved.by } : {}),
      rerunOf: approved.handle,
      ...(extra ? { extra } : {}),
    });
    // Refused before it ran (busy, rate limit: no execution id): nothing happened, so the retry may use the handle.
    if (!result.execution_id) await this.#host.user(meta).reopenApproval(approved.handle);
    return result;
  }
}
