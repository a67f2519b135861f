/**
 * @module user/user-object
 * One SQLite Durable Object per user, named by the user id: what belongs to the user rather than to one of their
 * MCP sessions. Stateless clients (the MCP Inspector CLI opens a session per call) reach the same object from
 * every session, and no other user can reach it.
 *
 * It holds the user's execution history (any session's executions are listed and read from any other), the
 * approval handles of suspended executions (with the session that ran each one, where approving re-runs it), and
 * the leases on the user's execution slots (`limits.max_concurrent_executions_per_user`), and the user's own
 * upstream servers with their secrets and OAuth grants (src/user/user-servers.ts, user-secrets.ts, oauth/). A
 * session's `state` and `state.last()` stay in the session object.
 *
 * Its RPC surface is the public methods below (callers see them as UserApi, src/user/user-api.ts); everything else
 * is private.
 */
import { DurableObject } from "cloudflare:workers";
import { type GatewayConfig, type Limits, loadConfig } from "../config";
import type { Env } from "../env";
import type { ApprovalActor } from "../sandbox/approval";
import type { ExecuteResult } from "../sandbox/execution-types";
import type { ExecutionPage, SkillRuns } from "./execution-history";
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
  StepUpOptions,
} from "./oauth/oauth-types";
import { type AddServerRequest, ServerDesk, type ServerResult } from "./server-desk";
import { signInNow, signInWait } from "./sign-in-wait";
import type { OAuthHooks, UserConnection } from "./user-connections";
import { type ContextSummary, UserContexts } from "./user-contexts";
import { type FinishReply, UserExecutions } from "./user-executions";
import { type SecretSummary, UserSecrets } from "./user-secrets";
import { UserServers, type UserServerView } from "./user-servers";
import type {
  ApprovedExecution,
  ExecutionRecord,
  ExecutionStatus,
  ExecutionSummary,
  FinishRequest,
  PendingApproval,
  SignInStillNeeded,
  SlotGrant,
  StartedExecution,
} from "./user-types";
import { type WebSessionCheck, type WebSessionGrant, WebSessions } from "./web-sessions";

/** The per-user Durable Object (see the module comment). */
export class UserObject extends DurableObject<Env> {
  /** History, approval handles, slots and execute rate of the user's executions (src/user/user-executions.ts). */
  readonly #executions = new UserExecutions(this.ctx.storage);
  readonly #contexts = new UserContexts(this.ctx.storage.sql);
  readonly #oauth = new OAuthConnections(
    this.ctx.storage.sql,
    this.env as unknown as Record<string, unknown>,
    this.ctx.id.toString(),
    () => this.#servers.bump(),
  );
  readonly #webSessions = new WebSessions(this.ctx.storage.sql);
  readonly #servers = new UserServers(this.ctx.storage.sql, this.ctx.id.toString());
  readonly #secrets = new UserSecrets(this.ctx.storage.sql, this.ctx.id.toString());
  readonly #desk = new ServerDesk({
    owner: this.ctx.id.toString(),
    env: this.env as unknown as Record<string, unknown>,
    servers: this.#servers,
    secrets: this.#secrets,
    config: () => this.#config(),
    oauth: this as unknown as Partial<OAuthHooks>,
  });

  #config(): GatewayConfig {
    const loaded = loadConfig(this.env.GATEWAY_CONFIG);
    if (!loaded.ok) throw new Error(loaded.error);
    return loaded.config;
  }

  #limits(): Limits {
    return this.#config().limits;
  }

  /** add_server and the connections page's form; `check`: the page's (src/user/server-desk.ts). */
  async addServer(request: AddServerRequest, opts: { check?: boolean } = {}): Promise<ServerResult> {
    return this.#desk.add(request, opts);
  }

  /** The connections page's Check again: checks a server without credentials again. */
  async checkServer(name: string): Promise<ServerResult> {
    return this.#desk.check(name);
  }

  /**
   * What a session's listing of a server without credentials found, for the connections page: why add_server's
   * listing failed, or (no `error`) that a listing worked since a check failed.
   */
  async recordServerListing(name: string, url: string, error?: string): Promise<void> {
    this.#desk.recordListing(name, url, error);
  }

  /**
   * remove_server: forgets the server, its OAuth tokens (revoked where the authorization server can) and what the
   * gateway stored of its listings for `user` (this object's user, named by the caller: the object cannot read it).
   */
  async removeServer(
    name: string,
    user: string,
  ): Promise<{ ok: true; revoked?: boolean } | { ok: false; error: string }> {
    return this.#desk.remove(name, user);
  }

  /** The user's servers with their auth status, and the version that moves on every change. */
  async listServers(): Promise<{ version: number; servers: UserServerView[] }> {
    return this.#desk.list();
  }

  /** The version of the user's server list alone: what sessions poll to notice another session's change. */
  async serversVersion(): Promise<number> {
    return this.#servers.version();
  }

  /**
   * The full URL of the user's server `name` now (undefined: there is none): what a session's connection checks
   * before each request that carries credentials (src/registry/bound-credentials.ts).
   */
  async userServerUrl(name: string): Promise<string | undefined> {
    return this.#serverUrl(name);
  }

  /**
   * What a session registers: each server's full URL (query included, which list views never show) and auth.
   * Nothing secret: credentials are resolved per connection by {@link connectionFor}.
   */
  async sessionServers(): ReturnType<ServerDesk["sessionServers"]> {
    return this.#desk.sessionServers();
  }

  /** A server's auth status and the version of the user's servers: what a session waiting for a sign-in polls. */
  async authStatus(name: string): Promise<{ version: number; auth?: UserServerView["auth"] }> {
    return this.#desk.authStatus(name);
  }

  /**
   * How a session connects to the user's server `name` (credentials resolved here, on the host). With `stepUp`
   * (the upstream answered 403 insufficient_scope) a sign-in for the wider scope starts instead.
   */
  async connectionFor(
    name: string,
    origin: string,
    opts: { force?: boolean; signIn?: boolean; challenge?: StartOptions; stepUp?: StepUpOptions } = {},
  ): Promise<UserConnection> {
    if (!opts.stepUp) return this.#desk.connectionFor(name, origin, opts);
    const stepped = await this.oauthAccessToken(name, { origin, stepUp: opts.stepUp });
    return stepped.ok ? this.#desk.connectionFor(name, origin) : stepped;
  }

  /**
   * The server answered 401 with OAuth metadata (add_server), or the user asks to sign in again
   * (authorize_server, Connect on the page): it becomes an OAuth server and a sign-in flow starts.
   */
  async requireAuthorization(
    name: string,
    origin: string,
    opts: { scope?: string; resourceMetadataUrl?: string } = {},
  ): Promise<{ ok: true; authorization_url: string } | { ok: false; error: string }> {
    return this.#desk.requireAuthorization(name, origin, opts);
  }

  /**
   * Stores one of the user's secrets (write-only: never read back over RPC). `hosts` (comma-separated) are the
   * hosts it may be sent to: required for a new secret; a replaced one keeps its own without them.
   */
  async setSecret(name: string, value: string, hosts?: string): Promise<{ ok: true } | { ok: false; error: string }> {
    return this.#desk.setSecret(name, value, hosts);
  }

  async deleteSecret(name: string): Promise<{ ok: true; deleted: boolean } | { ok: false; error: string }> {
    return this.#desk.deleteSecret(name);
  }

  /** Names, update times and allowed hosts of the user's secrets; never their values. */
  async listSecrets(): Promise<SecretSummary[]> {
    return this.#desk.listSecrets();
  }

  /**
   * Takes one of the user's execution slots for the session object `session`, waiting for one when all are in use
   * (src/user/execution-slots.ts), or says the user is busy.
   */
  async startExecution(session: string): Promise<SlotGrant> {
    return this.#executions.start(session, this.#limits());
  }

  /** Lists an execution as running as soon as its program starts (finishExecution completes the record). */
  async executionStarted(run: StartedExecution): Promise<void> {
    this.#executions.started(run);
  }

  /** Keeps a running execution's slot (the session renews it well within execution_lease_ms). */
  async renewExecution(lease: string): Promise<void> {
    this.#executions.renew(lease, this.#limits().execution_lease_ms);
  }

  /**
   * Ends an execution in one round trip: releases its slot, mints an approval handle when it stopped for approval,
   * and records it in the history (with the handle, so get_execution shows it).
   */
  async finishExecution(request: FinishRequest): Promise<FinishReply> {
    return this.#executions.finish(request);
  }

  /** The user's executions, newest first, from every session. */
  async listExecutions(limit: number): Promise<ExecutionSummary[]> {
    return this.#executions.list(limit);
  }

  /** One page of the history (the dashboard): newest first, optionally one status, paged by `before`. */
  async pageExecutions(query: { limit: number; status?: ExecutionStatus; before?: number }): Promise<ExecutionPage> {
    return this.#executions.page(query);
  }

  /** The session object an execution of the history ran in. */
  async executionSession(id: string): Promise<string | undefined> {
    return this.#executions.sessionOf(id);
  }

  /** Run counts and last runs of skill versions. */
  async skillRuns(): Promise<SkillRuns[]> {
    return this.#executions.skillRuns();
  }

  /**
   * Calls waiting for approval, newest first, with their full arguments; a sign-in's link as it opens now (`origin`:
   * the gateway's, where a pending sign-in's link points).
   */
  async pendingApprovals(limit: number, origin?: string): Promise<PendingApproval[]> {
    const deps = { row: (name: string) => this.#servers.row(name), oauth: this.#oauth };
    return this.#executions.pendingApprovals(limit).map((a) => signInNow(a, origin, deps));
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    return this.#executions.get(id);
  }

  /**
   * Takes a pending handle for approve_call; the caller re-runs it in `session`, or reads why it cannot. The
   * stopped execution's record says it was approved, by whom and when, in the same step. A handle waiting for a
   * sign-in the user has not done yet is not taken: the answer is what is still needed (src/user/sign-in-wait.ts).
   * `origin`: the gateway's origin the approval came from (sign-in links point there).
   */
  async approveCall(
    handle: string,
    by?: ApprovalActor,
    origin?: string,
  ): Promise<ApprovedExecution | SignInStillNeeded | string> {
    const deps = { row: (name: string) => this.#servers.row(name), oauth: this.#oauth };
    const waiting = await signInWait(handle, this.#executions.peek(handle), origin, deps);
    if (waiting) return waiting;
    const taken = this.#executions.approve(handle, by);
    return typeof taken === "string" || !origin ? taken : { ...taken, origin };
  }

  /** Start a new sign-in (dashboard): what `handle` still needs, with a new or pending link; takes and runs nothing. */
  async renewSignIn(handle: string, origin?: string): Promise<SignInStillNeeded | undefined> {
    const deps = { row: (name: string) => this.#servers.row(name), oauth: this.#oauth };
    return signInWait(handle, this.#executions.peek(handle), origin, deps);
  }

  /** Gives a handle back after its re-run was refused before anything ran (busy, rate limit), so a retry works. */
  async reopenApproval(handle: string): Promise<void> {
    this.#executions.reopen(handle);
  }

  /** Records a context the user started (MCP 2026-07-28; its object is `<user>:<context>`). */
  async addContext(context: string): Promise<void> {
    this.#contexts.add(context);
  }

  /** Forgets a context whose storage expired (src/session/session-retention.ts). */
  async removeContext(context: string): Promise<void> {
    this.#contexts.remove(context);
  }

  /** The user's contexts, newest first. */
  async listContexts(limit: number): Promise<ContextSummary[]> {
    return this.#contexts.list(limit);
  }

  /** deny_call: cancels the suspended execution and records the cancellation, with who decided and when. */
  async denyCall(handle: string, by: ApprovalActor = "user (deny_call)"): Promise<ExecuteResult | string> {
    return this.#executions.deny(handle, by);
  }
  /** The URL of the user's server `name` (user servers: src/user/user-servers.ts). */
  #serverUrl(name: string): string | undefined {
    return this.#servers.row(name)?.url;
  }

  /** Starts a sign-in to the user's server `server`; the link is a gateway URL (src/user/oauth/oauth-flows.ts). */
  async startAuthorization(server: string, origin: string, opts: StartOptions = {}): Promise<StartResult> {
    const serverUrl = this.#serverUrl(server);
    if (!serverUrl) return { ok: false, error: `you have no server named "${server}"` };
    const started = await this.#oauth.start({ server, serverUrl, origin }, opts);
    // Discovery and registration await the network: remove_server may have run meanwhile (a server not yet
    // OAuth is removed without forgetting any grant). Its sign-in must not outlive it.
    if (started.ok && this.#serverUrl(server) !== serverUrl) {
      this.#oauth.discard(server);
      return { ok: false, error: `${server} was removed while its sign-in was being prepared` };
    }
    return started;
  }

  /** GET /connections/authorize: where to send this user for their flow `flow`. */
  async beginAuthorization(flow: string): Promise<BeginResult> {
    return this.#oauth.begin(flow);
  }

  /** GET /connections/callback: checks and completes this user's flow. */
  async completeAuthorization(params: CallbackParams): Promise<CompleteResult> {
    return this.#oauth.complete(params, (name) => this.#serverUrl(name));
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
