/**
 * @module web/connections-api
 * What the connections page asks of the user's object (PLAN-15 "UserObject RPC"): the user's servers and secrets
 * (src/user/user-servers.ts, src/user/user-secrets.ts) and the OAuth client's flows (src/user/oauth/). Typed here by
 * shape, so the page depends on the contract rather than on the files behind it. Every call is wrapped: a failure
 * becomes an error the page shows, never a 500.
 */
import type { Env } from "../env";

export type AuthType = "none" | "headers" | "oauth";
export type AuthStatus = "connected" | "authorization_required" | "expired" | "error";

/** One of the user's servers as listed (no header value, no token). */
export interface ServerView {
  name: string;
  url: string;
  auth: {
    type: AuthType;
    status: AuthStatus;
    scopes?: string[];
    expires_at?: string;
    message?: string;
    /** Step-up sign-ins waiting (src/user/oauth/step-up.ts): the tools that asked, the scopes missing, the link. */
    step_up?: Array<{ tools: string[]; scope?: string; authorization_url: string }>;
  };
  header_names: string[];
  created_at: string;
}

export interface SecretView {
  name: string;
  updated_at: string;
  hosts: string[];
}

type Result<T = object> = ({ ok: true } & T) | { ok: false; error: string };

/** The user object's RPC methods the page uses. */
export interface ConnectionsRpc {
  listServers(): Promise<{ version: number; servers: ServerView[] }>;
  /** With `check`, a server without headers is checked before the answer: its status says what it needs. */
  addServer(
    request: { name: string; url: string; headers?: Array<[string, string]> },
    opts?: { check?: boolean },
  ): Promise<Result<{ server: ServerView }>>;
  /** Checks a server without credentials again (Check again); other servers are listed as they are. */
  checkServer(name: string): Promise<Result<{ server: ServerView }>>;
  removeServer(name: string, user: string): Promise<Result<{ revoked?: boolean }>>;
  /** Starts an OAuth sign-in (a server added without credentials becomes an OAuth server); refuses header servers. */
  requireAuthorization(server: string, origin: string): Promise<Result<{ authorization_url: string }>>;
  forgetOAuth(server: string): Promise<{ revoked: boolean }>;
  listSecrets(): Promise<SecretView[]>;
  setSecret(name: string, value: string, hosts?: string): Promise<Result>;
  deleteSecret(name: string): Promise<Result<{ deleted: boolean }>>;
}

/** The signed-in user's object, as the page uses it. */
export function connectionsOf(env: Env, user: string): ConnectionsRpc {
  return env.USER.getByName(user) as unknown as ConnectionsRpc;
}

/** Runs one RPC; a thrown error (object unavailable, method missing in this build) becomes `{ ok: false }`. */
export async function attempt<T>(
  what: string,
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    console.error(`connections page: ${what} failed`, err);
    return { ok: false, error: `${what} failed on the gateway; try again, and tell the operator if it persists.` };
  }
}
