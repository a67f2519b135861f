/**
 * @module user/oauth/oauth-context
 * What every OAuth operation of one user needs: the configuration, the user's OAuth storage, the sealing of its
 * secrets, and the one `fetch` every request goes through (the SSRF guard with `network`, redirects included).
 */
import type { FetchLike } from "@modelcontextprotocol/client";
import type { GatewayConfig } from "../../config";
import { guardedFetch } from "../../registry/guarded-fetch";
import { loadConnectionsKeys } from "../connections-key";
import type { OAuthStore } from "./oauth-store";
import { OAuthVault } from "./oauth-vault";

export interface OAuthContext {
  user: string;
  env: Record<string, unknown>;
  config: GatewayConfig;
  store: OAuthStore;
  vault: OAuthVault;
  /** `fetch` behind the SSRF guard: metadata, registration, token, revocation and every redirect hop. */
  fetch: FetchLike;
}

/** The context of `user`, or why OAuth cannot run (no CONNECTIONS_KEY: tokens could not be stored sealed). */
export async function oauthContext(
  user: string,
  env: Record<string, unknown>,
  config: GatewayConfig,
  store: OAuthStore,
): Promise<{ ok: true; ctx: OAuthContext } | { ok: false; error: string }> {
  const keys = await loadConnectionsKeys(env);
  if (!keys.ok) return { ok: false, error: `OAuth servers need a key to store their tokens: ${keys.error}` };
  const fetch = guardedFetch((input, init) => globalThis.fetch(input, init), config.network);
  return { ok: true, ctx: { user, env, config, store, vault: new OAuthVault(keys.keys, user), fetch } };
}
