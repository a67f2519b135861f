/**
 * A session's user servers on the real OAuth-protected test upstream (test/support/oauth-upstream.mjs): upstreams
 * started per test and stopped after it, and a server added, signed in to and seen connected.
 */
import assert from "node:assert/strict";
import type { Session } from "./gateway";
import { type OAuthUpstream, type OAuthUpstreamOptions, startOAuthUpstream } from "./oauth-upstream.mjs";
import { signIn } from "./upstream-sign-in";

/** Upstreams started with `defaults` (and a test's own options); `stopAll` (in an afterEach) stops them. */
export function oauthUpstreams(defaults: OAuthUpstreamOptions) {
  const running: OAuthUpstream[] = [];
  return {
    async start(options: OAuthUpstreamOptions = {}): Promise<OAuthUpstream> {
      const up = await startOAuthUpstream({ ...defaults, ...options });
      running.push(up);
      return up;
    },
    async stopAll(): Promise<void> {
      await Promise.all(running.splice(0).map((u) => u.stop()));
    },
  };
}

/** The server's auth in `session`'s list_servers, once `ok` accepts it (sessions follow changes within seconds). */
export async function authOf(session: Session, name: string, ok: (auth: any) => boolean): Promise<any> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { servers } = await session.data("list_servers");
    const auth = servers.find((s: any) => s.name === name)?.auth;
    if (ok(auth)) return auth;
    if (Date.now() > deadline) assert.fail(`list_servers never showed ${name} as expected: ${JSON.stringify(auth)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Adds `up` as `name`, signs in, and waits until `session` sees it connected. */
export async function connectServer(session: Session, name: string, up: OAuthUpstream): Promise<void> {
  const added = await session.data("add_server", { name, url: up.url });
  assert.equal(added.status, "authorization_required", JSON.stringify(added));
  assert.equal((await signIn(added.authorization_url)).status, 200);
  await authOf(session, name, (a) => a?.status === "connected");
}
