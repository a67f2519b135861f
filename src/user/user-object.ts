/**
 * @module user/user-object
 * One SQLite Durable Object per user, named by the user id: what belongs to the user rather than to one of their
 * MCP sessions. Stateless clients (the MCP Inspector CLI opens a session per call) reach the same object from
 * every session, and no other user can reach it.
 *
 * It holds the user's execution history (any session's executions are listed and read from any other), the
 * approval handles of suspended executions (with the session that ran each one, where approving re-runs it), and
 * the leases on the user's execution slots (`limits.max_concurrent_executions_per_user`). A session's `state` and
 * `state.last()` stay in the session object.
 *
 * Its RPC surface is the public methods below; everything else is private.
 */
import { DurableObject } from "cloudflare:workers";
import { type Limits, loadConfig } from "../config";
import type { Env } from "../env";
import type { ExecuteResult } from "../sandbox/execution-types";
import { deniedExecution } from "./denied-execution";
import { ExecutionHistory } from "./execution-history";
import { ExecutionLeases } from "./execution-leases";
import { OAuthConnections } from "./oauth/oauth-connections";
import type {
  AccessTokenOptions,
  AccessTokenResult,
  BeginResult,
  CallbackParams,
  CompleteResult,
  OAuthStatusView,
  StartOptions,
  StartResult,
} from "./oauth/oauth-types";
import { PendingApprovals } from "./pending-approvals";
import { type ContextSummary, UserContexts } from "./user-contexts";
import type { ApprovedExecution, ExecutionRecord, ExecutionSummary, FinishRequest, SlotGrant } from "./user-types";
import { type WebSessionCheck, type WebSessionGrant, WebSessions } from "./web-sessions";

/** What finishExecution tells the session: the approval handle it minted, or why the execution cannot resume. */
export type FinishReply = { handle?: string; unresumable?: string };

/** Applies a {@link FinishReply} to the result the client gets (and the history keeps). */
export function settleSuspension(result: ExecuteResult, reply: FinishReply): void {
  if (!result.approval) return;
  if (reply.handle) result.approval.handle = reply.handle;
  else if (reply.unresumable && result.error) {
    delete result.status;
    result.error = {
      kind: "limit",
      message: `${result.approval.server}.${result.approval.tool} needs approval, but ${reply.unresumable}`,
    };
  }
}

/** The user object's RPC surface as callers use it (stub types turn the `unknown` fields of results into `never`). */
export type UserApi = Pick<
  UserObject,
  | "startExecution"
  | "renewExecution"
  | "finishExecution"
  | "listExecutions"
  | "getExecution"
  | "approveCall"
  | "reopenApproval"
  | "denyCall"
  | "addContext"
  | "listContexts"
  | "startAuthorization"
  | "beginAuthorization"
  | "completeAuthorization"
  | "oauthAccessToken"
  | "oauthStatus"
  | "forgetOAuth"
>;

/** The object of `user` (named by the user id). */
export function userObject(env: Env, user: string): UserApi {
  return env.USER.getByName(user) as unknown as UserApi;
}

/** The per-user Durable Object (see the module comment). */
export class UserObject extends DurableObject<Env> {
  readonly #history = new ExecutionHistory(this.ctx.storage.sql);
  readonly #approvals = new PendingApprovals(this.ctx.storage.sql);
  readonly #leases = new ExecutionLeases(this.ctx.storage.sql);
  readonly #contexts = new UserContexts(this.ctx.storage.sql);
  readonly #oauth = new OAuthConnections(
    this.ctx.storage.sql,
    this.env as unknown as Record<string, unknown>,
    this.ctx.id.toString(),
  );
  readonly #webSessions = new WebSessions(this.ctx.storage.sql);

  #limits(): Limits {
    const loaded = loadConfig(this.env.GATEWAY_CONFIG);
    if (!loaded.ok) throw new Error(loaded.error);
    return loaded.config.limits;
  }

  /** Takes one of the user's execution slots for the session object `session`, or says the user is busy. */
  async startExecution(session: string): Promise<SlotGrant> {
    const { max_concurrent_executions_per_user: limit, execution_lease_ms: leaseMs } = this.#limits();
    const grant = this.#leases.acquire(session, limit, leaseMs);
    if (grant.ok) return { ok: true, lease: grant.lease, lease_ms: leaseMs };
    return {
      ok: false,
      error: `busy, retry shortly: you already run ${grant.running} executions across your sessions (limits.max_concurrent_executions_per_user is ${limit})`,
    };
  }

  /** Keeps a running execution's slot (the session renews it well within execution_lease_ms). */
  async renewExecution(lease: string): Promise<void> {
    this.#leases.renew(lease, this.#limits().execution_lease_ms);
  }

  /**
   * Ends an execution in one round trip: releases its slot, mints an approval handle when it stopped for approval,
   * and records it in the history (with the handle, so get_execution shows it).
   */
  async finishExecution(request: FinishRequest): Promise<FinishReply> {
    this.#leases.release(request.lease);
    const { execution, suspended } = request;
    if (!execution) return {};
    let reply: FinishReply = {};
    if (suspended) {
      const created = this.#approvals.create(request.session, suspended);
      reply = typeof created === "string" ? { handle: created } : { unresumable: created.error };
      settleSuspension(execution.result, reply);
    }
    this.#history.record(request.session, execution);
    return reply;
  }

  /** The user's executions, newest first, from every session. */
  async listExecutions(limit: number): Promise<ExecutionSummary[]> {
    return this.#history.list(limit);
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    return this.#history.get(id);
  }

  /** Takes a pending handle for approve_call; the caller re-runs it in `session`, or reads why it cannot. */
  async approveCall(handle: string): Promise<ApprovedExecution | string> {
    return this.#approvals.take(handle, "approved");
  }

  /** Gives a handle back after its re-run was refused before anything ran (busy, rate limit), so a retry works. */
  async reopenApproval(handle: string): Promise<void> {
    this.#approvals.reopen(handle);
  }

  /** Records a context the user started (MCP 2026-07-28; its object is `<user>:<context>`). */
  async addContext(context: string): Promise<void> {
    this.#contexts.add(context);
  }

  /** The user's contexts, newest first. */
  async listContexts(limit: number): Promise<ContextSummary[]> {
    return this.#contexts.list(limit);
  }

  /** deny_call: cancels the suspended execution and records the cancellation, with who decided and when. */
  async denyCall(handle: string): Promise<ExecuteResult | string> {
    const taken = this.#approvals.take(handle, "denied");
    if (typeof taken === "string") return taken;
    const result = deniedExecution(handle, taken);
    const { code, kind, skill } = taken.spec;
    this.#history.record(taken.session, { result, code, kind, ...(skill ? { skill } : {}), startedAt: Date.now() });
    return result;
  }
  /** The URL of the user's server `name` (user servers: src/user/user-servers.ts). */
  #serverUrl(name: string): string | undefined {
    void name;
    return undefined;
  }

  /** Starts a sign-in to the user's server `server`; the link is a gateway URL (src/user/oauth/oauth-flows.ts). */
  async startAuthorization(server: string, origin: string, opts: StartOptions = {}): Promise<StartResult> {
    const serverUrl = this.#serverUrl(server);
    if (!serverUrl) return { ok: false, error: `you have no server named "${server}"` };
    return this.#oauth.start({ server, serverUrl, origin }, opts);
  }

  /** GET /connections/authorize: where to send this user for their flow `flow`. */
  async beginAuthorization(flow: string): Promise<BeginResult> {
    return this.#oauth.begin(flow);
  }

  /** GET /connections/callback: checks and completes this user's flow. */
  async completeAuthorization(params: CallbackParams): Promise<CompleteResult> {
    return this.#oauth.complete(params);
  }

  /** The access token of the user's OAuth server `server`, refreshed on the host when needed. */
  async oauthAccessToken(server: string, opts: AccessTokenOptions = {}): Promise<AccessTokenResult> {
    const serverUrl = this.#serverUrl(server);
    if (!serverUrl) return { ok: false, status: "error", message: `you have no server named "${server}"` };
    return this.#oauth.accessToken({ server, serverUrl }, opts);
  }

  /** list_servers' view of the server's OAuth authorization (never a token). */
  async oauthStatus(server: string): Promise<OAuthStatusView | undefined> {
    return this.#oauth.status(server);
  }

  /** Forgets the server's OAuth grant, revoking its tokens where the authorization server supports it. */
  async forgetOAuth(server: string): Promise<{ revoked: boolean }> {
    return this.#oauth.forget(server);
  }

  /** Signs a browser in as this user (src/web/web-auth.ts): the secret for its cookie and its CSRF token. */
  async createWebSession(): Promise<WebSessionGrant> {
    return this.#webSessions.create();
  }

  /** Whether a browser's session cookie is still signed in. */
  async checkWebSession(secret: string): Promise<WebSessionCheck> {
    return this.#webSessions.check(secret);
  }

  /** Signs a browser out: its cookie stops working at once. */
  async endWebSession(secret: string): Promise<void> {
    return this.#webSessions.end(secret);
  }
}
