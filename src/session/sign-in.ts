/**
 * @module session/sign-in
 * Authorization while code runs (#15 item 4): when a call finds the sign-in to one of the user's servers missing
 * or expired and the client declared URL-mode elicitation, the user is asked to open the sign-in URL, and the
 * call continues once the user object reports the server connected. The wait is bounded
 * ({@link SIGN_IN_TIMEOUT_MS}) and not counted against the execution's timeout (src/sandbox/executor.ts). The
 * OAuth callback lands in the user object; this session notices it by a bounded poll of the server's status.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { morePermission, wholeScopes } from "../registry/step-up-scope";
import type { SignIn } from "../sandbox/human-waits";
import type { UserAuthView } from "../user/user-servers";
import type { ToolExtra } from "./notifier";

/** Longest a running execution waits for the user to sign in. */
export const SIGN_IN_TIMEOUT_MS = 10 * 60_000;
/** How often the waiting session asks whether the sign-in has completed. */
export const SIGN_IN_POLL_MS = 1_000;

/** A sign-in prompt for this request's client, when it supports URL-mode elicitation; otherwise undefined. */
export function createSignIn(
  server: McpServer,
  extra: ToolExtra,
  status: (server: string) => Promise<{ version: number; auth?: UserAuthView }>,
): SignIn | undefined {
  const caps = server.server.getClientCapabilities() as { elicitation?: { url?: unknown } } | undefined;
  if (!caps?.elicitation?.url) return undefined;
  return async (name, url, scope) => {
    const deadline = Date.now() + SIGN_IN_TIMEOUT_MS;
    // The server may still look connected (its refused token is kept until the new sign-in replaces it): wait for
    // a change of the user's servers after which it is connected.
    const before = await status(name).catch(() => undefined);
    if (!before?.auth) return false;
    const answer = await extra.mcpReq.elicitInput(
      {
        mode: "url",
        message: scope
          ? `Sign in to ${name} again to grant ${morePermission(scope)}, so the running code can continue.`
          : `Sign in to ${name} so the running code can continue.`,
        url,
        elicitationId: crypto.randomUUID(),
      },
      { timeout: SIGN_IN_TIMEOUT_MS },
    );
    if (answer.action !== "accept") return false;
    // A step-up is granted when the grant holds the scopes it named (the server was connected all along).
    const granted = (auth: UserAuthView) => !scope || wholeScopes(scope).every((s) => auth.scopes?.includes(s));
    while (Date.now() < deadline) {
      const now = await status(name).catch(() => undefined);
      if (now && !now.auth) return false;
      if (now?.auth && now.version !== before.version && now.auth.status === "connected" && granted(now.auth)) {
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(SIGN_IN_POLL_MS, deadline - Date.now())));
    }
    return false;
  };
}
