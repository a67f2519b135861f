/**
 * The user's part of signing in to an upstream, played without a browser: start a flow with the gateway's OAuth
 * client (as add_server, authorize_server or step-up do), open the gateway link (`begin`, as GET
 * /connections/authorize does), follow the authorization server's redirects like a browser until they reach the
 * gateway's callback, and hand the answer to `complete` (as GET /connections/callback does). It needs an
 * authorization server that redirects at once (the conformance suite's, or the test upstream with autoApprove).
 */
import { redirectUri } from "../../src/user/oauth/client-identity";
import type { OAuthConnections } from "../../src/user/oauth/oauth-connections";
import type { StartOptions } from "../../src/user/oauth/oauth-types";

/** Redirects the "browser" follows before it must be back at the gateway. */
const MAX_HOPS = 5;

/** A user server, as the user object names it to the OAuth client. */
export interface SignInTarget {
  server: string;
  serverUrl: string;
  /** The gateway's origin (its callback lives there; nothing is served or fetched from it here). */
  origin: string;
}

/** Signs in to `target` (see the module comment); throws with the gateway's own message when a step refuses. */
export async function signIn(oauth: OAuthConnections, target: SignInTarget, opts: StartOptions = {}): Promise<void> {
  const started = await oauth.start(target, opts);
  if (!started.ok) throw new Error(started.error);
  const flow = new URL(started.authorization_url).searchParams.get("flow") ?? "";
  const begun = oauth.begin(flow);
  if (!begun.ok) throw new Error(begun.error);
  // The browser, not the gateway: it goes where the authorization server says, and stops at the callback.
  const callback = redirectUri(target.origin);
  let location = begun.location;
  for (let hop = 0; !location.startsWith(callback); hop++) {
    if (hop === MAX_HOPS) throw new Error(`the authorization server did not redirect back within ${MAX_HOPS} hops`);
    const response = await fetch(location, { redirect: "manual" });
    await response.body?.cancel();
    const next = response.headers.get("location");
    if (!next) throw new Error(`the authorization server answered ${response.status} without redirecting back`);
    location = new URL(next, location).href;
  }
  const back = new URL(location).searchParams;
  const optional = (name: string) => back.get(name) ?? undefined;
  const done = await oauth.complete(
    {
      flow,
      state: back.get("state") ?? "",
      code: optional("code"),
      error: optional("error"),
      error_description: optional("error_description"),
      iss: optional("iss"),
    },
    () => target.serverUrl,
  );
  if (!done.ok) throw new Error(done.error);
}
