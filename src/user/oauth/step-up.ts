/**
 * @module user/oauth/step-up
 * Step-up sign-ins (MCP authorization: an upstream answers a call with 403 `insufficient_scope` naming the scope it
 * wants), as the OAuth client keeps them. A step-up concerns the tool that asked, not the server: the grant stays as
 * it is (its other tools keep working with it) and the step-up is a flow of its own, for the granted scopes plus the
 * challenged ones (its "scope set"). While one for the same user, server and scope set is pending with at least
 * {@link REUSE_MIN_LEFT_MS} left, every step-up for that set answers with its link: an agent that retries, code
 * that calls the tool twice, or two calls at the same moment get the link already shown, never a new one that
 * would make it stale. Another scope set is another flow (bounded per server, src/user/oauth/oauth-flow-store.ts).
 * The flow names the tools waiting for it, which list_servers and /connections show with its link.
 */
import { missingScope } from "../../registry/step-up-scope";
import type { OAuthContext } from "./oauth-context";
import { cleanDetail } from "./oauth-errors";
import { stepUpTools } from "./oauth-flow-store";
import { authorizationUrl, type FlowTarget, REUSE_MIN_LEFT_MS, startFlow } from "./oauth-flows";
import type { GrantRow, OAuthStore } from "./oauth-store";
import type { StartResult, StepUpOptions, StepUpView } from "./oauth-types";
import { grantedScopes, scopeSet, scopeTokens, withoutScopes } from "./sign-in-scope";

/** A longer tool name is cut where a step-up names it (a tool name is the upstream's, from its listing). */
export const STEP_UP_TOOL_CHARS = 128;

const tokens = (scope: string | null | undefined) => (scope ?? "").split(/\s+/).filter(Boolean);

/**
 * The scope set a step-up asks for: the challenged scopes and the granted ones, each once, sorted and bounded
 * (src/user/oauth/sign-in-scope.ts); "" when the challenge named no valid scope (the sign-in then asks for what
 * discovery finds).
 */
export function stepUpWanted(granted: string | null | undefined, challenged: string | undefined): string {
  return scopeTokens(challenged).length > 0 ? scopeSet(challenged, [granted]) : "";
}

/** The flow a gateway sign-in link names (`…/connections/authorize?flow=<id>`), if it is one. */
export function flowOfLink(link: string | undefined): string | undefined {
  if (!link || !URL.canParse(link)) return undefined;
  return new URL(link).searchParams.get("flow") ?? undefined;
}

/** See the module comment: the step-up sign-ins of one user. */
export class StepUps {
  readonly #store: OAuthStore;
  /** Step-ups being started, by user server, URL, origin and scope set: one flow for calls at the same moment. */
  readonly #starting = new Map<string, Promise<StartResult>>();

  constructor(store: OAuthStore) {
    this.#store = store;
  }

  /**
   * The link of the step-up for `opts` at `target` (the pending one for the same scope set, else a new flow), with
   * `opts.tool` noted as waiting for it; `changed` when sessions should look again (a new flow, a new tool named).
   */
  async link(ctx: OAuthContext, target: FlowTarget, opts: StepUpOptions): Promise<StartResult & { changed: boolean }> {
    const { server, serverUrl, origin } = target;
    const wanted = stepUpWanted(grantedScopes(this.#store, target), opts.scope);
    let id = this.#store.pendingStepUp(server, serverUrl, origin, wanted, Date.now() + REUSE_MIN_LEFT_MS);
    let changed = false;
    if (!id) {
      const key = JSON.stringify([server, serverUrl, origin, wanted]);
      let starting = this.#starting.get(key);
      if (!starting) {
        const challenge = {
          ...(opts.scope ? { scope: opts.scope } : {}),
          ...(opts.resourceMetadataUrl ? { resourceMetadataUrl: opts.resourceMetadataUrl } : {}),
        };
        starting = startFlow(ctx, target, challenge, { stepUp: { wanted } }).finally(() => this.#starting.delete(key));
        this.#starting.set(key, starting);
      }
      const started = await starting;
      if (!started.ok) return { ...started, changed };
      id = flowOfLink(started.authorization_url);
      if (!id) return { ...started, changed: true };
      changed = true;
    }
    const tool = opts.tool && cleanDetail(opts.tool).slice(0, STEP_UP_TOOL_CHARS);
    if (tool && this.#store.noteStepUpTool(id, tool)) changed = true;
    return { ok: true, authorization_url: authorizationUrl(origin, id), changed };
  }

  /**
   * The step-ups of `grant`'s server that still wait for the user, oldest first. One whose scope set lacks a scope
   * granted since that its bounds had room for (its sign-in would narrow the grant; a granted scope the authorization
   * server has refused since aside) or that asks for nothing the grant lacks is left out.
   */
  views(grant: GrantRow): StepUpView[] {
    // A Set: a grant (the authorization server's) may hold tens of thousands of scopes.
    const granted = new Set(tokens(grant.scopes));
    return this.#store.stepUpFlows(grant.server, grant.server_url).flatMap((flow) => {
      const set = flow.wanted || flow.scope;
      const asked = [...new Set(scopeTokens(set))];
      // Granted scopes the authorization server refused since are not ones a step-up must keep.
      if (scopeTokens(scopeSet(set, [withoutScopes(grant.scopes, grant.refused_scopes)])).length > asked.length) {
        return [];
      }
      const missing = asked.filter((s) => !granted.has(s));
      if (asked.length > 0 && missing.length === 0) return [];
      const scope = missingScope(missing.join(" "));
      return [
        {
          tools: stepUpTools(flow.tools).map((t) => t.slice(0, STEP_UP_TOOL_CHARS)),
          ...(scope ? { scope } : {}),
          authorization_url: authorizationUrl(flow.origin, flow.id),
        },
      ];
    });
  }
}
