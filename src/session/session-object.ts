/**
 * @module session/session-object
 * One SQLite Durable Object per MCP session, named `<user>:<session-id>`. It serves the session's MCP traffic,
 * runs its executions, and is the single place where the session's tool calls are checked and recorded.
 * The same class serves the contexts of MCP 2026-07-28 clients (`<user>:<context>`, meta.kind "context"): there
 * is no handshake, each request is served statelessly (src/session/modern-mcp.ts), and `state` spans requests.
 *
 * The SDK transport keeps session state in memory; when the object is evicted and revived, {@link #mcp} restores
 * the transport's "initialized" state and the client's capabilities from storage, so clients never notice.
 */
import { DurableObject } from "cloudflare:workers";
import { type McpServer, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { checkExecuteRate } from "../auth/rate-limiter";
import { type GatewayConfig, loadConfig } from "../config";
import type { Env } from "../env";
import { semanticSearchFrom } from "../mcp/catalog-search";
import { taskModelsFrom } from "../planning/model-client";
import type { GatewayContext } from "../mcp/gateway-context";
import { createGatewayServer } from "../mcp/gateway-server";
import { approvalStateCodec } from "../mcp/request-state";
import { durableCatalogStore } from "../registry/catalog-store";
import { connectUpstream } from "../registry/connect";
import { connectUserUpstream } from "../registry/user-upstream";
import { Registry } from "../registry/registry";
import type { ApprovalActor, PendingCall, RecordedCall } from "../sandbox/approval";
import type { BridgeReply, ExecuteResult, ToolCallRecord } from "../sandbox/execution-types";
import { type DashboardReply, type DashboardRequest, dashboardOp } from "../web/dashboard/dashboard-ops";
import { DASHBOARD_SESSION } from "../web/dashboard/dashboard-session";
import { executeCode } from "../sandbox/executor";
import { type LiveExecution, parseBridgeJson } from "../sandbox/live-execution";
import { refusedExecution } from "../sandbox/refused-execution";
import { ExecutionBridge } from "../sandbox/tool-bridge";
import { QueueFullError, Semaphore } from "../shared/semaphore";
import { SkillService } from "../skills/skill-service";
import { durableObservedStore, ObservedTypes } from "../typecheck/observed-types";
import { checkerSlot, sessionTypechecker } from "../typecheck/session-typechecker";
import type { SkillVersion } from "../skills/skill-types";
import { ExecutionSlot } from "../user/execution-slot";
import { type UserApi, userObject } from "../user/user-object";
import type { ApprovedExecution, StoredRunSpec, SuspendedExecution } from "../user/user-types";
import { gatewayOp } from "./gateway-ops";
import { LastExecution } from "./last-execution";
import { ModernMcp, mayStartContext, unknownContext } from "./modern-mcp";
import { createApprover, createNotifier, type ToolExtra } from "./notifier";
import { createSignIn } from "./sign-in";
import {
  CONTEXT_HEADER,
  INITIALIZE_HEADER,
  NEW_CONTEXT_HEADER,
  SESSION_HEADER,
  sessionObjectName,
  USER_HEADER,
} from "./session-headers";
import { SessionState } from "./session-state";
import { userServerOps } from "./user-server-ops";
import { UserServerSync } from "./user-server-sync";
import { ScopeSnapshots } from "../scope/scope-snapshots";
import { ScopeStore } from "../scope/scope-store";

interface SessionMeta {
  user: string;
  /** The session id, or for a context object the context id. */
  session: string;
  /** Absent in objects stored before contexts existed: those are sessions. */
  kind?: "session" | "context";
  created_at: number;
  terminated_at?: number;
  client?: { capabilities: unknown; info: unknown; protocolVersion?: string };
}

/** Everything needed to run (or re-run) one execution. */
interface RunSpec extends StoredRunSpec {
  replay?: readonly RecordedCall[];
  approved?: string;
  approvedBy?: ApprovalActor;
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

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

export class SessionObject extends DurableObject<Env> {
  #sql = this.ctx.storage.sql;
  #meta: SessionMeta | undefined;
  #mcp: { server: McpServer; transport: WebStandardStreamableHTTPServerTransport } | undefined;
  #modern: ModernMcp | undefined;
  #registry: Registry | undefined;
  #config: GatewayConfig | undefined;
  readonly #live = new Map<string, LiveExecution>();
  #slots: Semaphore | undefined;
  readonly #checkerSlot = checkerSlot();
  readonly #observed = new ObservedTypes(durableObservedStore(this.env.CATALOG));
  #skills: SkillService | undefined;
  readonly #state = new SessionState(this.ctx.storage.sql);
  readonly #last = new LastExecution(this.ctx.storage.sql);
  readonly #scope = new ScopeStore(this.ctx.storage.sql);
  readonly #scopeSnapshots = new ScopeSnapshots(this.ctx.storage.sql);
  #userSync: UserServerSync | undefined;
  /** The gateway's origin as clients reach it (sign-in URLs of the user's servers point there). */
  #origin = "";
  /** The user whose dashboard this object serves (set by the first dashboard request; never an MCP session). */
  #dashboardUser: string | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'session'").toArray()[0];
    this.#meta = row ? (JSON.parse(row.value) as SessionMeta) : undefined;
  }

  #saveMeta(meta: SessionMeta): void {
    this.#meta = meta;
    this.#sql.exec(
      "INSERT INTO meta (key, value) VALUES ('session', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      JSON.stringify(meta),
    );
  }

  #gatewayConfig(): GatewayConfig {
    if (!this.#config) {
      const loaded = loadConfig(this.env.GATEWAY_CONFIG);
      if (!loaded.ok) throw new Error(loaded.error);
      this.#config = loaded.config;
    }
    return this.#config;
  }

  /** The user's object: history, approval handles and execution slots shared by all the user's sessions. */
  #user(meta: SessionMeta): UserApi {
    return userObject(this.env, meta.user);
  }

  #skillsFor(meta: SessionMeta): SkillService {
    const typecheck = sessionTypechecker(this.env, this.#gatewayConfig(), this.#checkerSlot, this.#observed);
    this.#skills ??= new SkillService(
      this.env.SKILLS.getByName(meta.user),
      this.#registryFor(meta),
      typecheck &&
        ((code, catalog, imports) =>
          typecheck({ code, catalog, imports, skills: new Map(), latestSkill: () => undefined })),
    );
    return this.#skills;
  }

  #registryFor(meta: SessionMeta): Registry {
    const config = this.#gatewayConfig();
    this.#userSync ??= new UserServerSync(() => this.#user(meta), config);
    const source = (name: string, opts?: { force?: boolean }) =>
      this.#user(meta).connectionFor(name, this.#origin, opts);
    this.#registry ??= new Registry(
      config.servers,
      (server, scope) =>
        scope === "user"
          ? connectUserUpstream(server, { env: this.env, user: meta.user, gateway: config, source })
          : connectUpstream(server, { env: this.env, exports: this.ctx.exports, user: meta.user, gateway: config }),
      // Catalogs and first-seen tool hashes are shared by all sessions through one CatalogObject per upstream.
      {
        store: durableCatalogStore(this.env.CATALOG),
        ttlMs: config.catalog_ttl_ms,
        sync: () => this.#userSync!.sync(this.#registry!),
      },
    );
    return this.#registry;
  }

  /** Serves one MCP HTTP request of this session (the Worker has already checked Origin and session headers). */
  override async fetch(request: Request): Promise<Response> {
    this.#origin = new URL(request.url).origin;
    const user = request.headers.get(USER_HEADER) ?? "";
    const session = request.headers.get(SESSION_HEADER) ?? "";
    const initialize = request.headers.get(INITIALIZE_HEADER) === "1";
    const context = request.headers.get(CONTEXT_HEADER);
    if (context !== null) return this.#serveContext(request, user, context);

    if (initialize) {
      if (this.#meta) return jsonRpcError(400, -32600, "Invalid Request: session already initialized");
      this.#saveMeta({ user, session, created_at: Date.now() });
    } else if (
      !this.#meta ||
      this.#meta.kind === "context" ||
      this.#meta.terminated_at ||
      this.#meta.user !== user ||
      this.#meta.session !== session
    ) {
      return jsonRpcError(404, -32001, "Session not found");
    }

    const meta = this.#meta!;
    const { transport } = this.#mcp ?? (await this.#openMcp(meta, !initialize));
    if (request.method === "DELETE") {
      this.#saveMeta({ ...meta, terminated_at: Date.now() });
      for (const live of this.#live.values()) live.end();
      const response = await transport.handleRequest(request);
      this.#mcp = undefined;
      await this.#registry?.close();
      this.#registry = undefined;
      return response;
    }
    return transport.handleRequest(request);
  }

  /** A 2026-07-28 request in this context (started on first use; see mayStartContext). */
  async #serveContext(request: Request, user: string, context: string): Promise<Response> {
    if (!this.#meta) {
      if (!mayStartContext(context, request.headers.get(NEW_CONTEXT_HEADER) === "1")) {
        return unknownContext(request, context);
      }
      this.#saveMeta({ user, session: context, kind: "context", created_at: Date.now() });
      await this.#user(this.#meta!).addContext(context);
    }
    const meta = this.#meta!;
    if (meta.kind !== "context" || meta.user !== user || meta.session !== context) {
      return unknownContext(request, context);
    }
    const max = this.#gatewayConfig().limits.max_request_bytes;
    let codec: ReturnType<typeof approvalStateCodec>;
    try {
      codec = approvalStateCodec(this.env.REQUEST_STATE_KEY, context);
    } catch (err) {
      // A misconfigured secret: every 2026-07-28 request says so rather than failing with a bare 500.
      const error = { code: -32603, message: `gateway misconfigured: ${(err as Error).message}` };
      return Response.json({ jsonrpc: "2.0", id: null, error }, { status: 500 });
    }
    this.#modern ??= new ModernMcp(
      () =>
        createGatewayServer(
          {
            ...this.#toolContext(meta),
            context,
            requestState: codec,
            contexts: (limit) => this.#user(meta).listContexts(limit),
          },
          "modern",
        ),
      max,
    );
    return this.#modern.serve(request, user);
  }

  /** What the gateway's tools need, for this object's session or context. */
  #toolContext(meta: SessionMeta): GatewayContext {
    return {
      registry: this.#registryFor(meta),
      config: this.#gatewayConfig(),
      semantic: semanticSearchFrom(this.env, this.#gatewayConfig().embeddings),
      models: taskModelsFrom(this.env, this.#gatewayConfig()),
      history: {
        list: (limit) => this.#user(meta).listExecutions(limit),
        get: (id) => this.#user(meta).getExecution(id),
      },
      observed: this.#observed,
      skills: this.#skillsFor(meta),
      execute: (code, timeoutMs, extra) =>
        this.#execute(meta, { code, kind: "code", ...(timeoutMs ? { timeoutMs } : {}), ...(extra ? { extra } : {}) }),
      runSkill: (skill, input, extra) => this.#runSkill(meta, skill, input, extra),
      approveCall: (handle, extra) => this.#approve(meta, handle, extra),
      denyCall: (handle) => this.#user(meta).denyCall(handle),
      scope: { list: () => this.#scope.list(), reset: () => this.#scope.reset() },
      userServers: userServerOps({
        user: () => this.#user(meta),
        registry: () => this.#registryFor(meta),
        sync: this.#userSync!,
        origin: () => this.#origin,
        gatewayNames: this.#gatewayConfig().servers.map((s) => s.name),
      }),
    };
  }

  async #openMcp(meta: SessionMeta, restore: boolean) {
    const server = createGatewayServer(this.#toolContext(meta));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => meta.session,
    });
    server.server.oninitialized = () => {
      this.#saveMeta({
        ...this.#meta!,
        client: {
          capabilities: server.server.getClientCapabilities(),
          info: server.server.getClientVersion(),
          protocolVersion: (server.server as unknown as { _negotiatedProtocolVersion?: string })
            ._negotiatedProtocolVersion,
        },
      });
    };
    if (restore) {
      // Revived after eviction: the SDK has no public restore, so set the fields its handshake would have set.
      // Pinned SDK version (package.json); covered by the "session survives a restart" test.
      Object.assign(transport, { sessionId: meta.session, _initialized: true });
      Object.assign(server.server, {
        _clientCapabilities: meta.client?.capabilities ?? {},
        _clientVersion: meta.client?.info,
        _negotiatedProtocolVersion: meta.client?.protocolVersion,
      });
    }
    await server.connect(transport);
    this.#mcp = { server, transport };
    return this.#mcp;
  }

  /** Runs a skill version as an execution of its own, recorded in the history as a skill run. */
  #runSkill(meta: SessionMeta, skill: SkillVersion, input: unknown, extra?: ToolExtra): Promise<ExecuteResult> {
    // JSON is valid JavaScript, so the input is embedded as a literal; the wrapper validates it on the host.
    const code = `import { ${skill.name} } from "skills/${skill.name}@${skill.version}";\nreturn await ${skill.name}(${JSON.stringify(input)});`;
    return this.#execute(meta, {
      code,
      kind: "skill",
      skill: `${skill.name}@${skill.version}`,
      ...(extra ? { extra } : {}),
    });
  }

  async #execute(meta: SessionMeta, spec: RunSpec): Promise<ExecuteResult> {
    const limits = this.#gatewayConfig().limits;
    // Per user, across all of the user's sessions (src/auth/rate-limiter.ts); checked before queueing.
    const limited = await checkExecuteRate(this.env, meta.user, limits);
    if (limited) return limited;
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
    const slot = await ExecutionSlot.take(this.#user(meta), sessionObjectName(meta.user, meta.session));
    if (typeof slot === "string") return refusedExecution(slot);
    try {
      const startedAt = Date.now();
      const { code, kind, skill } = spec;
      const onStart = (id: string) =>
        slot.started({ execution_id: id, code, kind, ...(skill ? { skill } : {}), startedAt });
      const { result, suspended } = await this.#run(meta, spec, onStart);
      await slot.finish({ result, code, kind, ...(skill ? { skill } : {}), startedAt }, suspended);
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
  ): Promise<{ result: ExecuteResult; suspended?: SuspendedExecution }> {
    const name = sessionObjectName(meta.user, meta.session);
    const mcp = this.#mcp;
    let suspended: { pending: PendingCall; recorded: RecordedCall[] } | undefined;
    // Programs carry their top level to the next execution of this session; skill runs start empty and keep nothing.
    // An approved re-run starts with the scope its first run saw.
    const limits = this.#gatewayConfig().limits;
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
      },
      {
        ...(onStart ? { onStart } : {}),
        loader: this.env.LOADER,
        registry: this.#registryFor(meta),
        limits: this.#gatewayConfig().limits,
        live: this.#live,
        skills: this.#skillsFor(meta),
        ...(carried ? { scope: { carried, save: (update) => this.#scope.apply(update, limits) } } : {}),
        ...(spec.kind === "code"
          ? { typecheck: sessionTypechecker(this.env, this.#gatewayConfig(), this.#checkerSlot, this.#observed) }
          : {}),
        observe: (catalog, tool, value) => this.#observed.record(catalog, tool, value),
        bridgeFor: (execution) => this.ctx.exports.ToolBridge({ props: { session: name, execution } }),
        // 2026-07-28 contexts get progress only, and approvals through input_required (no approver: suspend).
        ...(spec.extra ? { events: createNotifier(spec.extra, meta.kind !== "context") } : {}),
        ...(mcp && spec.extra && meta.kind !== "context" ? { approver: createApprover(mcp.server, spec.extra) } : {}),
        ...(mcp && spec.extra && meta.kind !== "context"
          ? { signIn: createSignIn(mcp.server, spec.extra, (server) => this.#user(meta).authStatus(server)) }
          : {}),
        onSuspend: (state) => {
          suspended = state;
        },
      },
    );
    if (!suspended || !result.approval) return { result };
    if (carried && result.execution_id) this.#scopeSnapshots.save(result.execution_id, carried);
    return { result, suspended: { spec: storedSpec(spec, carried && result.execution_id), ...suspended } };
  }

  /**
   * approve_call: re-runs the suspended code, replaying the calls that already ran, with the pending call allowed.
   * The handle belongs to the user, so it may come from another of the user's sessions: the re-run happens in the
   * session that ran the code, where its `state` lives.
   */
  async #approve(meta: SessionMeta, handle: string, extra?: ToolExtra): Promise<ExecuteResult | string> {
    const taken = await this.#user(meta).approveCall(handle);
    if (typeof taken === "string") return taken;
    if (taken.session === sessionObjectName(meta.user, meta.session)) return this.#resume(meta, taken, extra);
    // Live progress and elicitation stay with this request's stream; the other session runs without them.
    const origin = this.env.SESSION.getByName(taken.session) as unknown as Pick<SessionObject, "resumeApproved">;
    return origin.resumeApproved(taken);
  }

  /** Re-runs an execution of this session that the user approved from another of their sessions. */
  async resumeApproved(approved: ApprovedExecution): Promise<ExecuteResult> {
    const meta = this.#meta;
    // A terminated session still holds its state, so the approved code still runs where it started.
    if (!meta || approved.session !== sessionObjectName(meta.user, meta.session)) {
      throw new Error("resumeApproved: the execution did not run in this session");
    }
    return this.#resume(meta, approved);
  }

  async #resume(meta: SessionMeta, approved: ApprovedExecution, extra?: ToolExtra): Promise<ExecuteResult> {
    const result = await this.#execute(meta, {
      ...approved.spec,
      replay: approved.recorded,
      // A sign-in handle resumes the code; it approves no call.
      ...(approved.pending.authorization ? {} : { approved: approved.pending.signature }),
      ...(approved.by ? { approvedBy: approved.by } : {}),
      ...(extra ? { extra } : {}),
    });
    // Refused before it ran (busy, rate limit: no execution id): nothing happened, so the retry may use the handle.
    if (!result.execution_id) await this.#user(meta).reopenApproval(approved.handle);
    return result;
  }

  /**
   * The dashboard's catalog and skill requests (src/web/dashboard/dashboard-ops.ts), served only by the user's
   * dashboard object, which is never an MCP session (see src/web/dashboard/dashboard-session.ts).
   */
  async dashboard(user: string, request: DashboardRequest, origin: string): Promise<DashboardReply> {
    if (this.#meta) throw new Error("dashboard: this object serves an MCP session");
    // Named `<user>:~dashboard`: one user's, for as long as it lives.
    this.#dashboardUser ??= user;
    if (user !== this.#dashboardUser) throw new Error("dashboard: this object serves another user");
    // Sign-in links of user servers point at the gateway the page was asked from.
    this.#origin = origin;
    const meta: SessionMeta = { user, session: DASHBOARD_SESSION, created_at: 0 };
    const config = this.#gatewayConfig();
    const registry = this.#registryFor(meta);
    // A page shows the user's servers as they are now (a session re-reads them every few seconds).
    await this.#userSync?.sync(registry, true);
    return dashboardOp(request, {
      registry,
      skills: this.#skillsFor(meta),
      observed: this.#observed,
      semantic: semanticSearchFrom(this.env, config.embeddings),
    });
  }

  /** The tool calls a running execution of this session has made so far (the dashboard's live view). */
  async liveCalls(execution: string): Promise<{ calls: ToolCallRecord[]; elapsed_ms: number } | undefined> {
    const live = this.#live.get(execution);
    return live && !live.ended ? { calls: [...live.calls], elapsed_ms: Date.now() - live.startedAt } : undefined;
  }

  /** A direct bridge for one execution (see ToolBridge.open): calls on it skip the entrypoint hop. */
  async openBridge(execution: string): Promise<ExecutionBridge> {
    return new ExecutionBridge(this, execution);
  }

  /** Called by {@link ToolBridge} for each tool call a sandbox makes. */
  async bridgeCall(execution: string, server: string, tool: string, argsJson: string): Promise<BridgeReply> {
    const live = this.#live.get(execution);
    if (!live || live.ended) {
      return {
        ok: false,
        status: "rejected",
        error: `${server}.${tool} was called after the execution ended; await every tool call before returning`,
      };
    }
    return live.callTool(server, tool, argsJson);
  }

  /** Called by {@link ToolBridge} for each operation of the sandbox's `gateway` module, and notification batches. */
  async bridgeHost(execution: string, op: string, argsJson: string): Promise<BridgeReply> {
    const live = this.#live.get(execution);
    if (!live || live.ended) {
      return { ok: false, status: "rejected", error: `gateway ${op} was called after the execution ended` };
    }
    if (op === "notify") return live.notify(argsJson);
    const over = live.countHostOp();
    if (over) return { ok: false, status: "rejected", error: over };
    try {
      const args = parseBridgeJson(argsJson) as Record<string, unknown>;
      const meta = this.#meta;
      const value = await gatewayOp(op, args ?? {}, live, {
        state: this.#state,
        last: this.#last,
        getExecution: async (id) => (meta ? this.#user(meta).getExecution(id) : undefined),
      });
      return { ok: true, ...(value === undefined ? {} : { value: JSON.stringify(value) }) };
    } catch (err) {
      return { ok: false, status: "error", error: (err as Error).message };
    }
  }
}
