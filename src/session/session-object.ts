/**
 * @module session/session-object
 * One SQLite Durable Object per MCP session, named `<user>:<session-id>`. It serves the session's MCP traffic,
 * runs its executions, and is the single place where the session's tool calls are checked and recorded.
 *
 * The SDK transport keeps session state in memory; when the object is evicted and revived, {@link #mcp} restores
 * the transport's "initialized" state and the client's capabilities from storage, so clients never notice.
 */
import { DurableObject } from "cloudflare:workers";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { checkExecuteRate } from "../auth/rate-limiter";
import { type GatewayConfig, loadConfig } from "../config";
import type { Env } from "../env";
import { semanticSearchFrom } from "../mcp/catalog-search";
import { createGatewayServer } from "../mcp/gateway-server";
import { durableCatalogStore } from "../registry/catalog-store";
import { connectUpstream } from "../registry/connect";
import { Registry } from "../registry/registry";
import { audit, type PendingCall, type RecordedCall } from "../sandbox/approval";
import type { BridgeReply, ExecuteResult } from "../sandbox/execution-types";
import { executeCode } from "../sandbox/executor";
import { type LiveExecution, parseBridgeJson } from "../sandbox/live-execution";
import { refusedExecution } from "../sandbox/refused-execution";
import { ExecutionBridge } from "../sandbox/tool-bridge";
import { validateValue } from "../sandbox/validate-args";
import { QueueFullError, Semaphore } from "../shared/semaphore";
import { SkillService } from "../skills/skill-service";
import { durableObservedStore, ObservedTypes } from "../typecheck/observed-types";
import { checkerSlot, sessionTypechecker } from "../typecheck/session-typechecker";
import type { SkillVersion } from "../skills/skill-types";
import { ExecutionHistory } from "./execution-history";
import { createApprover, createNotifier, type ToolExtra } from "./notifier";
import { PendingApprovals, type RunSpec } from "./pending-approvals";
import { INITIALIZE_HEADER, SESSION_HEADER, sessionObjectName, USER_HEADER } from "./session-headers";
import { SessionState } from "./session-state";

interface SessionMeta {
  user: string;
  session: string;
  created_at: number;
  terminated_at?: number;
  client?: { capabilities: unknown; info: unknown };
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

export class SessionObject extends DurableObject<Env> {
  #sql = this.ctx.storage.sql;
  #meta: SessionMeta | undefined;
  #mcp: { server: McpServer; transport: WebStandardStreamableHTTPServerTransport } | undefined;
  #registry: Registry | undefined;
  #config: GatewayConfig | undefined;
  readonly #live = new Map<string, LiveExecution>();
  #slots: Semaphore | undefined;
  readonly #checkerSlot = checkerSlot();
  readonly #observed = new ObservedTypes(durableObservedStore(this.env.CATALOG));
  #skills: SkillService | undefined;
  readonly #state = new SessionState(this.ctx.storage.sql);
  readonly #history = new ExecutionHistory(this.ctx.storage.sql);
  readonly #approvals = new PendingApprovals(this.ctx.storage.sql);

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
    this.#registry ??= new Registry(
      config.servers,
      (server) =>
        connectUpstream(server, { env: this.env, exports: this.ctx.exports, user: meta.user, gateway: config }),
      // Catalogs and first-seen tool hashes are shared by all sessions through one CatalogObject per upstream.
      { store: durableCatalogStore(this.env.CATALOG), ttlMs: config.catalog_ttl_ms },
    );
    return this.#registry;
  }

  /** Serves one MCP HTTP request of this session (the Worker has already checked Origin and session headers). */
  override async fetch(request: Request): Promise<Response> {
    const user = request.headers.get(USER_HEADER) ?? "";
    const session = request.headers.get(SESSION_HEADER) ?? "";
    const initialize = request.headers.get(INITIALIZE_HEADER) === "1";

    if (initialize) {
      if (this.#meta) return jsonRpcError(400, -32600, "Invalid Request: session already initialized");
      this.#saveMeta({ user, session, created_at: Date.now() });
    } else if (!this.#meta || this.#meta.terminated_at || this.#meta.user !== user || this.#meta.session !== session) {
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

  async #openMcp(meta: SessionMeta, restore: boolean) {
    const registry = this.#registryFor(meta);
    const server = createGatewayServer({
      registry,
      config: this.#gatewayConfig(),
      semantic: semanticSearchFrom(this.env, this.#gatewayConfig().embeddings),
      history: this.#history,
      observed: this.#observed,
      skills: this.#skillsFor(meta),
      execute: (code, timeoutMs, extra) =>
        this.#execute(meta, { code, kind: "code", ...(timeoutMs ? { timeoutMs } : {}), ...(extra ? { extra } : {}) }),
      runSkill: (skill, input, extra) => this.#runSkill(meta, skill, input, extra),
      approveCall: (handle, extra) => this.#approve(meta, handle, extra),
      denyCall: async (handle) => this.#deny(handle),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => meta.session,
    });
    server.server.oninitialized = () => {
      this.#saveMeta({
        ...this.#meta!,
        client: { capabilities: server.server.getClientCapabilities(), info: server.server.getClientVersion() },
      });
    };
    if (restore) {
      // Revived after eviction: the SDK has no public restore, so set the two fields its handshake would have set.
      // Pinned SDK version (package.json); covered by the "session survives a restart" test.
      Object.assign(transport, { sessionId: meta.session, _initialized: true });
      Object.assign(server.server, {
        _clientCapabilities: meta.client?.capabilities ?? {},
        _clientVersion: meta.client?.info,
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
    const startedAt = Date.now();
    try {
      const result = await this.#run(meta, spec);
      this.#history.record(result, {
        code: spec.code,
        kind: spec.kind,
        ...(spec.skill ? { skill: spec.skill } : {}),
        startedAt,
      });
      return result;
    } finally {
      release();
    }
  }

  async #run(meta: SessionMeta, spec: RunSpec): Promise<ExecuteResult> {
    const name = sessionObjectName(meta.user, meta.session);
    const mcp = this.#mcp;
    let suspended: { pending: PendingCall; recorded: RecordedCall[] } | undefined;
    const result = await executeCode(
      {
        code: spec.code,
        ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}),
        ...(spec.replay ? { replay: spec.replay } : {}),
        ...(spec.approved ? { approved: spec.approved } : {}),
      },
      {
        loader: this.env.LOADER,
        registry: this.#registryFor(meta),
        limits: this.#gatewayConfig().limits,
        live: this.#live,
        skills: this.#skillsFor(meta),
        ...(spec.kind === "code"
          ? { typecheck: sessionTypechecker(this.env, this.#gatewayConfig(), this.#checkerSlot, this.#observed) }
          : {}),
        observe: (catalog, tool, value) => this.#observed.record(catalog, tool, value),
        bridgeFor: (execution) => this.ctx.exports.ToolBridge({ props: { session: name, execution } }),
        ...(mcp && spec.extra ? { events: createNotifier(mcp.server, meta.session, spec.extra) } : {}),
        ...(mcp && spec.extra ? { approver: createApprover(mcp.server, spec.extra) } : {}),
        onSuspend: (state) => {
          suspended = state;
        },
      },
    );
    if (suspended && result.approval) {
      result.approval.handle = this.#approvals.create({ spec: { ...spec, extra: undefined }, ...suspended });
    }
    return result;
  }

  /** approve_call: re-runs the suspended code, replaying the calls that already ran, with the pending call allowed. */
  async #approve(meta: SessionMeta, handle: string, extra?: ToolExtra): Promise<ExecuteResult | string> {
    const taken = this.#approvals.take(handle, "approved");
    if (typeof taken === "string") return taken;
    return this.#execute(meta, {
      ...taken.spec,
      replay: taken.recorded,
      approved: taken.pending.signature,
      ...(extra ? { extra } : {}),
    });
  }

  /** deny_call: cancels the suspended execution; recorded in the history with who decided and when. */
  #deny(handle: string): ExecuteResult | string {
    const taken = this.#approvals.take(handle, "denied");
    if (typeof taken === "string") return taken;
    const { pending } = taken;
    const result: ExecuteResult = {
      ok: false,
      execution_id: `exe_denied_${handle.slice(4)}`,
      logs: [],
      tool_calls: [
        {
          server: pending.server,
          tool: pending.tool,
          status: "rejected",
          ok: false,
          ms: 0,
          started_ms: 0,
          error: "denied by the user",
          approval: audit("denied", "user (deny_call)"),
        } as ExecuteResult["tool_calls"][number],
      ],
      duration_ms: 0,
      error: { kind: "cancelled", message: `${pending.server}.${pending.tool} was denied; the execution is cancelled` },
    };
    this.#history.record(result, {
      code: taken.spec.code,
      kind: taken.spec.kind,
      ...(taken.spec.skill ? { skill: taken.spec.skill } : {}),
      startedAt: Date.now(),
    });
    return result;
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

  /** Called by {@link ToolBridge} for each operation of the sandbox's `gateway` module (state, progress). */
  async bridgeHost(execution: string, op: string, argsJson: string): Promise<BridgeReply> {
    const live = this.#live.get(execution);
    if (!live || live.ended) {
      return { ok: false, status: "rejected", error: `gateway ${op} was called after the execution ended` };
    }
    const over = live.countHostOp();
    if (over) return { ok: false, status: "rejected", error: over };
    try {
      const args = parseBridgeJson(argsJson) as Record<string, unknown>;
      const value = this.#hostOp(op, args ?? {}, live);
      return { ok: true, ...(value === undefined ? {} : { value: JSON.stringify(value) }) };
    } catch (err) {
      return { ok: false, status: "error", error: (err as Error).message };
    }
  }

  #hostOp(op: string, args: Record<string, unknown>, live: LiveExecution): unknown {
    switch (op) {
      case "state.get":
        return this.#state.get(args.key);
      case "state.set":
        return args.delete === true ? void this.#state.delete(args.key) : this.#state.set(args.key, args.value);
      case "state.delete":
        return this.#state.delete(args.key);
      case "state.keys":
        return this.#state.keys(args.prefix);
      case "state.last": {
        const r = this.#history.last();
        return r && { execution_id: r.execution_id, ok: r.ok, result: r.result, error: r.error };
      }
      case "state.result": {
        const r = typeof args.id === "string" ? this.#history.get(args.id) : undefined;
        if (!r) throw new Error(`no execution ${JSON.stringify(args.id)} in this session's history (list_executions)`);
        if (!r.ok) throw new Error(`execution ${r.execution_id} failed: ${r.error?.message}`);
        return r.result;
      }
      case "skill.validate": {
        const skill = live.skills.get(`${args.name}@${args.version}`);
        if (!skill) throw new Error(`skill ${args.name}@${args.version} is not part of this execution`);
        const invalid = validateValue(
          `skill\u0000${JSON.stringify(skill.input_schema)}`,
          skill.input_schema,
          args.input,
        );
        if (invalid) throw new Error(`${skill.name}@${skill.version}: ${invalid} (get_skill shows its input_schema)`);
        return undefined;
      }
      case "progress":
        live.emit({
          type: "progress",
          current: Number(args.current) || 0,
          ...(typeof args.total === "number" ? { total: args.total } : {}),
          ...(typeof args.message === "string" ? { message: args.message.slice(0, 1_000) } : {}),
        });
        return undefined;
      case "log": {
        const level = ["debug", "info", "warning", "error"].includes(String(args.level)) ? args.level : "info";
        live.emit({ type: "log", level: level as "info", line: String(args.line).slice(0, 10_000) });
        return undefined;
      }
      default:
        throw new Error(`unknown gateway operation ${op}`);
    }
  }
}
