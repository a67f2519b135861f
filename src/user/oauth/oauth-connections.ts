/**
 * @module user/oauth/oauth-connections
 * The OAuth client to a user's upstream servers, as the user object (src/user/user-object.ts) uses it: one
 * instance per user object, over its SQLite storage. The user object resolves server names to URLs and stays a
 * thin router; the protocol is in the modules beside this one.
 */
import { type GatewayConfig, loadConfig } from "../../config";
import { missingScope, morePermission } from "../../registry/step-up-scope";
import { type AwaitedSignIn, awaitedChallenge, openSignInLink, signedInSince } from "./awaited-sign-in";
import { type OAuthContext, oauthContext } from "./oauth-context";
import { beginFlow, completeFlow, type FlowTarget, pendingLink, startFlow } from "./oauth-flows";
import { revokeGrant } from "./oauth-revoke";
import { OAuthStore } from "./oauth-store";
import { statusView, TokenKeeper } from "./oauth-tokens";
import type {
  AccessTokenOptions,
  AccessTokenResult,
  BeginResult,
  CallbackParams,
  CompleteResult,
  OAuthStatusView,
  StartOptions,
  StartResult,
} from "./oauth-types";
import { narrowAfterRefusal } from "./refused-scope";
import { grantedScopes, scopeSet } from "./sign-in-scope";
import { StepUps } from "./step-up";

/** See the module comment. */
export class OAuthConnections {
  readonly #store: OAuthStore;
  readonly #env: Record<string, unknown>;
  readonly #user: string;
  readonly #tokens = new TokenKeeper();
  readonly #stepUps: StepUps;
  /** Called after every change a session must see (connected, expired, forgotten). */
  readonly #onChange: () => void;

  constructor(sql: SqlStorage, env: Record<string, unknown>, user: string, onChange: () => void = () => {}) {
    this.#store = new OAuthStore(sql);
    this.#stepUps = new StepUps(this.#store);
    this.#env = env;
    this.#user = user;
    this.#onChange = onChange;
  }

  #config(): GatewayConfig {
    const loaded = loadConfig(this.#env.GATEWAY_CONFIG);
    if (!loaded.ok) throw new Error(loaded.error);
    return loaded.config;
  }

  #context() {
    return oauthContext(this.#user, this.#env, this.#config(), this.#store);
  }

  /** Starts a sign-in (authorize_server, add_server on a 401, step-up); answers with a gateway link. */
  async start(target: FlowTarget, opts: StartOptions = {}): Promise<StartResult> {
    const context = await this.#context();
    if (!context.ok) return { ok: false, error: `${target.server}: ${context.error}` };
    const pending = pendingLink(this.#store, target, opts.scope);
    if (pending) return { ok: true, authorization_url: pending };
    const before = this.#store.grant(target.server)?.status;
    const result = await startFlow(context.ctx, target, opts);
    if (result.ok && this.#store.grant(target.server)?.status !== before) this.#onChange();
    return result;
  }

  /** The authorization server URL of one of this user's flows (GET /connections/authorize). */
  begin(flow: string): BeginResult {
    return beginFlow({ store: this.#store }, flow);
  }

  /**
   * The callback of one of this user's flows (GET /connections/callback). A refusal with `invalid_scope` of a
   * sign-in that asked for more than the server needs answers with the link of one narrower sign-in
   * (src/user/oauth/refused-scope.ts); `serverUrl` is the URL the user's server of that name has now.
   */
  async complete(params: CallbackParams, serverUrl: (server: string) => string | undefined): Promise<CompleteResult> {
    const context = await this.#context();
    if (!context.ok) return { ok: false, error: context.error };
    const result = await completeFlow(context.ctx, params);
    if (result.ok) this.#onChange();
    if (result.ok || !("scopeRefused" in result)) return result;
    const flow = result.scopeRefused;
    const narrowed = await narrowAfterRefusal(context.ctx, flow, result.error, serverUrl(flow.server));
    this.#onChange();
    return { ok: false, server: flow.server, ...narrowed };
  }

  /**
   * A usable access token of `server`, refreshed on the host when needed; when the user must sign in again and
   * `opts.origin` is given, the answer carries a sign-in link (a recent pending one is reused). With `opts.stepUp`
   * (the upstream answered 403 `insufficient_scope`) the answer is the step-up sign-in for the granted scopes plus
   * the challenged ones (src/user/oauth/step-up.ts); the grant keeps serving the server's other tools.
   */
  async accessToken(target: Omit<FlowTarget, "origin">, opts: AccessTokenOptions = {}): Promise<AccessTokenResult> {
    const context = await this.#context();
    if (!context.ok) return { ok: false, status: "error", message: context.error };
    if (opts.stepUp) {
      const grant = this.#store.grant(target.server);
      const scope = missingScope(opts.stepUp.scope, grant?.scopes);
      const message = `it needs ${morePermission(scope)}: a new sign-in is needed`;
      const named = scope ? { scope } : {};
      if (!opts.origin) return { ok: false, status: "authorization_required", message, ...named };
      const link = await this.#stepUps.link(context.ctx, { ...target, origin: opts.origin }, opts.stepUp);
      if (link.changed) this.#onChange();
      if (!link.ok) return { ok: false, status: "error", message: link.error };
      return {
        ok: false,
        status: "authorization_required",
        message,
        authorization_url: link.authorization_url,
        ...named,
      };
    }
    const grant = this.#store.grant(target.server);
    const before = grant?.status;
    // Tokens are bound to the URL they were granted for: a grant left by a removed server of the same name (its
    // sign-in completed after the removal) is never sent to the server that took the name.
    const result: AccessTokenResult =
      grant && grant.server_url !== target.serverUrl
        ? { ok: false, status: "authorization_required", message: `${target.server} needs a sign-in: authorize_server` }
        : await this.#tokens.accessToken(context.ctx, target.server, opts);
    if (this.#store.grant(target.server)?.status !== before) this.#onChange();
    if (result.ok || result.status === "error" || !opts.origin) return result;
    const link = await this.#signInLink(context.ctx, { ...target, origin: opts.origin }, opts.challenge);
    return link.ok ? { ...result, authorization_url: link.authorization_url } : result;
  }

  /**
   * A plain sign-in's link: the pending one that asks for at least the challenge's scope and `also` (with the
   * granted ones), else a new flow for the challenge (`challenge`: the upstream's 401, else the flow probes for one)
   * that also asks for `also`.
   */
  async #signInLink(
    ctx: OAuthContext,
    target: FlowTarget,
    challenge: StartOptions = {},
    also?: string,
  ): Promise<StartResult> {
    const pending = pendingLink(this.#store, target, scopeSet(challenge.scope, [also]) || undefined);
    if (pending) return { ok: true, authorization_url: pending };
    return startFlow(ctx, target, challenge, also ? { also } : {});
  }

  /**
   * approve_call on a handle that waits for a sign-in to `target.server` (src/user/sign-in-wait.ts), or the
   * dashboard's request for a new link: undefined once the user has signed in since
   * (src/user/oauth/awaited-sign-in.ts), else what is still needed, with the link: the pending sign-in's (the
   * handle's own while it is pending), else a new one. A step-up whose link died (it expired, or the server was
   * removed and added again) gets a step-up for the same scopes; when nothing is granted at the server's URL to
   * step up from, a plain sign-in that also asks for them.
   */
  async awaitedSignIn(
    target: FlowTarget,
    awaited: AwaitedSignIn & { tool: string },
  ): Promise<undefined | { status: "authorization_required" | "expired"; authorization_url?: string; scope?: string }> {
    if (signedInSince(this.#store, target, awaited)) return undefined;
    const grant = this.#store.grant(target.server);
    const status = grant?.status === "expired" ? "expired" : "authorization_required";
    const context = await this.#context();
    if (!context.ok || !target.origin) return { status, ...(awaited.scope ? { scope: awaited.scope } : {}) };
    if (awaited.scope === undefined) {
      const link = await this.#signInLink(context.ctx, target);
      return { status, ...(link.ok ? { authorization_url: link.authorization_url } : {}) };
    }
    const challenge = awaitedChallenge(this.#store, target, awaited);
    if (!grantedScopes(this.#store, target)) {
      const link = await this.#signInLink(context.ctx, target, {}, challenge);
      if (link.ok) this.#onChange();
      return { status, ...(link.ok ? { authorization_url: link.authorization_url } : {}), scope: awaited.scope };
    }
    const link = await this.#stepUps.link(context.ctx, target, {
      ...(challenge ? { scope: challenge } : {}),
      tool: awaited.tool,
    });
    if (link.changed) this.#onChange();
    const scope = missingScope(challenge, grant?.scopes) ?? awaited.scope;
    return { status, ...(link.ok ? { authorization_url: link.authorization_url } : {}), scope };
  }

  /**
   * Where the sign-in a handle waits for stands, for the dashboard: done since (`signed_in`), else a link that opens
   * it now, if any (src/user/oauth/awaited-sign-in.ts openSignInLink). Starts nothing.
   */
  signInNow(target: FlowTarget, awaited: AwaitedSignIn): { signed_in: true } | { url: string | undefined } {
    if (signedInSince(this.#store, target, awaited)) return { signed_in: true };
    return { url: openSignInLink(this.#store, target, awaited) };
  }

  /** What list_servers shows of `server`'s authorization, or undefined when it has none. */
  status(server: string): OAuthStatusView | undefined {
    const grant = this.#store.grant(server);
    if (!grant) return undefined;
    const stepUps = this.#stepUps.views(grant);
    return { ...statusView(grant), ...(stepUps.length > 0 ? { step_up: stepUps } : {}) };
  }

  /** Drops `server`'s grant and flows without revoking (a sign-in begun for a server removed meanwhile). */
  discard(server: string): void {
    this.#store.deleteGrant(server);
  }

  /**
   * Forgets `server`'s grant, flows and the clients only it used (OAuthStore.forgetServer), revoking its tokens
   * where the authorization server supports it.
   */
  async forget(server: string): Promise<{ revoked: boolean }> {
    const grant = this.#store.grant(server);
    if (!grant) {
      this.#store.forgetServer(server);
      return { revoked: false };
    }
    const context = await this.#context();
    const revoked = context.ok ? await revokeGrant(context.ctx, grant).catch(() => false) : false;
    this.#store.forgetServer(server);
    this.#onChange();
    return { revoked };
  }
}
