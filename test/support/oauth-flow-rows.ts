/**
 * A pending sign-in (a row of oauth_flows) as the unit tests of src/user/oauth/ store it, for a server "s" at
 * {@link FLOW_SERVER_URL} reached from {@link FLOW_ORIGIN}: the columns a real flow fills, with the scope asked for
 * in the authorization URL, and a step-up's `wanted` scopes when it is one.
 */
import type { OAuthStore } from "../../src/user/oauth/oauth-store";

export const FLOW_SERVER_URL = "https://a.example/mcp";
export const FLOW_ORIGIN = "https://gateway.example";

export interface TestFlow {
  id: string;
  scope: string;
  stepUp?: boolean;
  serverUrl?: string;
  /** The scopes the server needed (flows stored before they were kept have none). */
  required?: string;
  createdAt?: number;
}

export function addTestFlow(store: OAuthStore, flow: TestFlow): void {
  const { id, scope } = flow;
  const now = flow.createdAt ?? Date.now();
  store.addFlow({
    id,
    server: "s",
    server_url: flow.serverUrl ?? FLOW_SERVER_URL,
    origin: FLOW_ORIGIN,
    state: `${id}.secret`,
    verifier: "sealed",
    discovery: "{}",
    location: `https://as.example/authorize?scope=${encodeURIComponent(scope)}`,
    redirect_uri: `${FLOW_ORIGIN}/connections/callback`,
    resource: null,
    scope,
    created_at: now,
    expires_at: now + 15 * 60_000,
    ...(flow.required !== undefined ? { required: flow.required } : {}),
    ...(flow.stepUp ? { step_up: 1, wanted: scope } : {}),
  });
}
