/**
 * @module mcp/request-state
 * The signed request state of MCP 2026-07-28 `input_required` results. The client echoes it on its retry, so it is
 * attacker-controlled: it is HMAC-signed with the Worker secret `REQUEST_STATE_KEY` and bound to the user and the
 * context, so a tampered state, or one replayed by another user or in another context, is refused before any tool
 * runs. It is signed, not encrypted: it names only the approval handle and the context, never code or results.
 */
import { createRequestStateCodec, type RequestStateCodec } from "@modelcontextprotocol/server";

/** What an approval round remembers between the input_required result and the client's retry. */
export interface ApprovalState {
  handle: string;
  context: string;
}

/** How long a client may take to answer an approval before it has to run the code again. */
const STATE_TTL_SECONDS = 30 * 60;
/** One random key per process when the secret is unset (local development): retries survive while it runs. */
let processKey: Uint8Array | undefined;

/** The key from `REQUEST_STATE_KEY` (at least 32 bytes), else a random key for this process. */
export function requestStateKey(secret: unknown): string | Uint8Array {
  if (typeof secret === "string" && secret.length > 0) {
    if (new TextEncoder().encode(secret).byteLength < 32) {
      throw new Error("REQUEST_STATE_KEY must be at least 32 bytes; generate one with `openssl rand -base64 48`");
    }
    return secret;
  }
  processKey ??= crypto.getRandomValues(new Uint8Array(32));
  return processKey;
}

/** A codec for one context's approval states, bound to the requesting user and that context. */
export function approvalStateCodec(secret: unknown, context: string): RequestStateCodec<ApprovalState> {
  return createRequestStateCodec<ApprovalState>({
    key: requestStateKey(secret),
    ttlSeconds: STATE_TTL_SECONDS,
    bind: (ctx) => `${ctx.http?.authInfo?.clientId ?? ""}\u0000${context}`,
  });
}
