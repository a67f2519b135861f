/**
 * @module session/session-object
 * One SQLite Durable Object per MCP session, named `<user>:<session-id>`. It serves the session's MCP traffic and
 * routes its executions (run by src/session/session-runs.ts) and their bridges' calls (src/session/bridge-routes.ts):
 * it is the single place where the session's tool calls are checked and recorded. Its registry of upstreams and its
 * skills are src/session/session-registry.ts.
 * The same class serves the contexts of MCP 2026-07-28 clients (`<user>:<context>`, meta.kind "context"): there
 * is no handshake, each request is served statelessly (src/session/modern-mcp.ts), and `state` spans requests.
 * Both keep their storage until `limits.session_idle_retention_ms` passes without a request
 * (src/session/session-retention.ts).
 *
 * The SDK transport keeps session state in memory; when the object is evicted and revived, src/session/session-mcp.ts
 * restores the transport's "initialized" state and the client's capabilities from storage, so clients never notice.
 */
import { DurableObject } from "cloudflare:workers";
import { type GatewayConfig, loadConfig } from "../config";
import type { Env } from "../env";
import { semanticSearchFrom } from "../mcp/catalog-search";
import type { GatewayContext } from "../mcp/gateway-context";
import { createGatewayServer } from "../mcp/gateway-server";
import { approvalStateCodec } from "../mcp/request-state";
import { taskModelsFrom } from "../planning/model-client";
import type { BridgeReply, ExecuteResult, ToolCallRecord } from "../sandbox/execution-types";
import { runGate } from "../sandbox/run-gate";
import { ExecutionBridge } from "../sandbox/tool-bridge";
import { ScopeSnapshots } from "../scope/scope-snapshots";
import { ScopeStore } from "../scope/scope-store";
import { onBodyEnd } from "../shared/body-end";
import { durableObservedStore, ObservedTypes } from "../typecheck/observed-types";
import { checkerSlot } from "../typecheck/session-typechecker";
import { type UserApi, userObject } from "../user/user-api";
import type { ApprovedExecution } from "../user/user-types";
import { type DashboardReply, type DashboardRequest, dashboardOp } from "../web/dashboard/dashboard-ops";
import { DASHBOARD_SESSION } from "../web/dashboard/dashboard-session";
import { bridgeHostOp, bridgeToolCall } from "./bridge-routes";
import { LastExecution } from "./last-execution";
import { ModernMcp, mayStartContext, unknownContext } from "./modern-mcp";
import {
  CONTEXT_HEADER,
  INITIALIZE_HEADER,
  NEW_CONTEXT_HEADER,
  SESSION_HEADER,
  sessionObjectName,
  USER_HEADER,
} from "./session-headers";
import { openSessionMcp, type SessionMcp } from "./session-mcp";
import { type SessionMeta, SessionMetaStore } from "./session-meta";
import { SessionRegistry } from "./session-registry";
import { EXPIRED_SESSION, SessionRetention } from "./session-retention";
import { SessionRuns } from "./session-runs";
import { SessionState } from "./session-state";
import { userServerOps } from "./user-server-ops";

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

export class SessionObject extends DurableObject<Env> {
  readonly #metaStore = new SessionMetaStore(this.ctx.storage.sql);
  /** Read once, when the object starts: nothing is written for an object that serves nothing (session-meta.ts). */
  #meta: SessionMeta | undefined = this.#metaStore.load();
  #mcp: SessionMcp | undefined;
  #modern: ModernMcp | undefined;
  #config: GatewayConfig | undefined;
  readonly #checkerSlot = checkerSlot();
  readonly #observed = new ObservedTypes(durableObservedStore(this.env.CATALOG));
  readonly #state = new SessionState(this.ctx.storage.sql);
  readonly #last = new LastExecution(this.ctx.storage.sql);
  readonly #scope = new ScopeStore(this.ctx.storage.sql);
  readonly #scopeSnapshots = new ScopeSnapshots(this.ctx.storage.sql);
  readonly #retention = new SessionRetention(
    this.ctx.storage,
    () => this.#gatewayConfig().limits.session_idle_retention_ms,
  );
  readonly #runs = new SessionRuns(
    {
      env: this.env,
      config: () => this.#gatewayConfig(),
      user: (meta) => this.#user(meta),
      registry: (meta) => this.#tools.registry(meta),
      skills: (meta) => this.#tools.skills(meta),
      mcp: () => this.#mcp,
      bridge: this,
      origin: () => this.#origin,
    },
    {
      last: this.#last,
      scope: this.#scope,
      scopeSnapshots: this.#scopeSnapshots,
      observed: this.#observed,
      checkerSlot: this.#checkerSlot,
    },
  );
  /** The registry of the session's upstreams, its skills and the sync of the user's servers (session-registry.ts). */
  readonly #tools = new SessionRegistry({
    env: this.env,
    ctx: this.ctx,
    config: () => this.#gatewayConfig(),
    user: (meta) => this.#user(meta),
    origin: () => this.#origin,
    checkerSlot: this.#checkerSlot,
    observed: this.#observed,
  });
  /** The gateway's origin as clients reach it (sign-in URLs of the user's servers point there). */
  #origin = "";
  /** The user whose dashboard this object serves (set by the first dashboard request; never an MCP session). */
  #dashboardUser: string | undefined;

  #saveMeta(meta: SessionMeta): void {
    this.#meta = meta;
    this.#metaStore.save(meta);
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

  /**
   * Serves one MCP HTTP request of this session (the Worker has already checked Origin and session headers). It
   * counts as in use until its response's body ends (a streamed reply outlives this handler), see session-retention;
   * a GET (the client's standing stream of server messages, open while it is connected) is not work in progress.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return this.#serve(request);
    const end = this.#retention.begin();
    try {
      return onBodyEnd(await this.#serve(request), end);
    } catch (err) {
      end();
      throw err;
    }
  }

  async #serve(request: Request): Promise<Response> {
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
    await this.#retention.touch();
    const { transport } = this.#mcp ?? (await this.#openMcp(meta, !initialize));
    if (request.method === "DELETE") {
      this.#saveMeta({ ...meta, terminated_at: Date.now() });
      this.#runs.endAll();
      const response = await transport.handleRequest(request);
      this.#mcp = undefined;
      await this.#tools.closeRegistry();
      return response;
    }
    return transport.handleRequest(request);
  }

  /**
   * An idle session's or context's storage is deleted (src/session/session-retention.ts); an alarm that fires
   * during an execution waits for it to end.
   */
  override async alarm(): Promise<void> {
    // No request gets in until the storage is deleted and the context is off its user's list: a request for
    // `default` in between would start it afresh, and then lose it to the deletion or to the list.
    await this.ctx.blockConcurrencyWhile(() =>
      // Read from storage, not memory: a retried alarm (the first failed while deleting) still finds the session.
      this.#retention.alarm(this.#metaStore.load(), this.#runs.busy(), {
        release: () => this.#release(),
        forgetContext: (meta) => this.#user(meta).removeContext(meta.session),
      }),
    );
  }

  /** Lets go of what this object holds in memory for its session or context, whose storage is being deleted. */
  async #release(): Promise<void> {
    this.#mcp = this.#meta = undefined;
    await this.#modern?.close();
    this.#modern = undefined;
    await this.#tools.release();
    // An expired `default` context starts afresh in this same instance: its stores make their tables again.
    for (const store of [this.#state, this.#last, this.#scope, this.#scopeSnapshots]) store.dropped();
  }

  /** A 2026-07-28 request in this context (started on first use; see mayStartContext). */
  async #serveContext(request: Request, user: string, context: string): Promise<Response> {
    if (!this.#meta) {
      if (!mayStartContext(context, request.headers.get(NEW_CONTEXT_HEADER) === "1")) {
        return unknownContext(request, context, this.#gatewayConfig().limits.session_idle_retention_ms);
      }
      this.#saveMeta({ user, session: context, kind: "context", created_at: Date.now() });
      // The alarm first: a context whose listing fails must still expire.
      await this.#retention.touch();
      await this.#user(this.#meta!).addContext(context);
    }
    const meta = this.#meta!;
    if (meta.kind !== "context" || meta.user !== user || meta.session !== context) {
      return unknownContext(request, context, this.#gatewayConfig().limits.session_idle_retention_ms);
    }
    await this.#retention.touch();
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
      registry: this.#tools.registry(meta),
      config: this.#gatewayConfig(),
      semantic: semanticSearchFrom(this.env, this.#gatewayConfig().embeddings),
      models: taskModelsFrom(this.env, this.#gatewayConfig()),
      history: {
        list: (limit) => this.#user(meta).listExecutions(limit),
        get: (id) => this.#user(meta).getExecution(id),
      },
      observed: this.#observed,
      skills: this.#tools.skills(meta),
      execute: (code, timeoutMs, extra) =>
        this.#runs.execute(meta, {
          code,
          kind: "code",
          ...(timeoutMs ? { timeoutMs } : {}),
          ...(extra ? { extra } : {}),
        }),
      runSkill: (skill, input, extra) => this.#runs.runSkill(meta, skill, input, extra),
      approveCall: (handle, extra, by) => this.#runs.approve(meta, handle, extra, by),
      denyCall: (handle, by) => this.#user(meta).denyCall(handle, by),
      scope: { list: () => this.#scope.list(), reset: () => this.#scope.reset() },
      userServers: userServerOps({
        user: () => this.#user(meta),
        registry: () => this.#tools.registry(meta),
        sync: this.#tools.userSync!,
        origin: () => this.#origin,
        gatewayNames: this.#gatewayConfig().servers.map((s) => s.name),
        userName: meta.user,
      }),
    };
  }

  async #openMcp(meta: SessionMeta, restore: boolean): Promise<SessionMcp> {
    const server = createGatewayServer(this.#toolContext(meta));
    this.#mcp = await openSessionMcp(server, meta, restore, (client) => this.#saveMeta({ ...this.#meta!, client }));
    return this.#mcp;
  }

  /** Re-runs an execution of this session that the user approved from another of their sessions. */
  async resumeApproved(approved: ApprovedExecution): Promise<ExecuteResult> {
    const meta = this.#meta;
    if (!meta) throw new Error(EXPIRED_SESSION);
    // A terminated session still holds its state, so the approved code still runs where it started.
    if (approved.session !== sessionObjectName(meta.user, meta.session)) {
      throw new Error("resumeApproved: the execution did not run in this session");
    }
    await this.#retention.touch();
    // Woken for this (no request since it started), the object has not learnt the origin: sign-in links need one.
    if (!this.#origin && approved.origin) this.#origin = approved.origin;
    return this.#runs.resume(meta, approved);
  }

  /** Wakes this object's executions that the run gate let in from another object's context. */
  async wakeGate(): Promise<void> {
    const meta = this.#meta;
    if (meta) runGate.wake(sessionObjectName(meta.user, meta.session));
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
    const registry = this.#tools.registry(meta);
    // A page shows the user's servers as they are now (a session re-reads them every few seconds).
    await this.#tools.userSync?.sync(registry, true);
    return dashboardOp(request, {
      registry,
      skills: this.#tools.skills(meta),
      observed: this.#observed,
      semantic: semanticSearchFrom(this.env, config.embeddings),
    });
  }

  /** The tool calls a running execution of this session has made so far (the dashboard's live view). */
  async liveCalls(execution: string): Promise<{ calls: ToolCallRecord[]; elapsed_ms: number } | undefined> {
    const live = this.#runs.live.get(execution);
    return live && !live.ended ? { calls: [...live.calls], elapsed_ms: Date.now() - live.startedAt } : undefined;
  }

  /** Called by the execution's {@link ExecutionBridge} for each tool call a sandbox makes. */
  async bridgeCall(execution: string, server: string, tool: string, argsJson: string): Promise<BridgeReply> {
    return bridgeToolCall(this.#runs.live.get(execution), server, tool, argsJson);
  }

  /** Called by the execution's {@link ExecutionBridge} for each `gateway` module operation and notification batch. */
  async bridgeHost(execution: string, op: string, argsJson: string): Promise<BridgeReply> {
    return bridgeHostOp(this.#runs.live.get(execution), op, argsJson, () => {
      const meta = this.#meta;
      return {
        state: this.#state,
        last: this.#last,
        getExecution: async (id) => (meta ? this.#user(meta).getExecution(id) : undefined),
      };
    });
  }
}
