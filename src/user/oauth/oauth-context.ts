/**
 * @module user/oauth/oauth-context
 * What every OAuth operation of one user needs: the configuration, the user's OAuth storage, the sealing of its
 * secrets, and the one `fetch` every request goes through (the SSRF guard with `network`, redirects included).
 */
import type { FetchLike } from "@modelcontextprotocol/client";
import type { GatewayConfig } from "../../config";
import { guardedFetch } from "../../registry/guarded-fetch";
import { cappedFetch } from "../../shared/capped-fetch";
import { loadConnectionsKeys } from "../connections-key";
import type { OAuthStore } from "./oauth-store";
import { OAuthVault } from "./oauth-vault";

/** Longest one OAuth operation (a sign-in start, a code exchange, a refresh, a revocation) may wait on the network. */
export const OAUTH_OPERATION_TIMEOUT_MS = 20_000;
/**
 * Largest response body read from an authorization server or its metadata: the SDK reads each whole, and real
 * ones are a few KB (a metadata document with every optional field is under 10 KB).
 */
export const MAX_OAUTH_RESPONSE_BYTES = 256 * 1024;

export interface OAuthContext {
  user: string;
  env: Record<string, unknown>;
  config: GatewayConfig;
  store: OAuthStore;
  vault: OAuthVault;
  /**
   * `fetch` behind the SSRF guard: metadata, registration, token, revocation and every redirect hop; bodies are
   * capped at {@link MAX_OAUTH_RESPONSE_BYTES}.
   */
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
  const guarded = cappedFetch(
    guardedFetch((input, init) => globalThis.fetch(input, init), config.network),
    MAX_OAUTH_RESPONSE_BYTES,
  );
  // Bounded: an authorization server that never answers must not hold the user's object (and its callers). One
  // budget for the whole operation: the SDK moves on to fallback locations after a failed request.
  const deadline = Date.now() + OAUTH_OPERATION_TIMEOUT_MS;
  const fetch: FetchLike = (input, init = {}) => {
    const timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    return guarded(input, { ...init, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  return { ok: true, ctx: { user, env, config, store, vault: new OAuthVault(keys.keys, user), fetch } };
}
