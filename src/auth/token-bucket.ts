/**
 * @module auth/token-bucket
 * Token buckets, pure: `capacity` tokens that refill at `capacity / per_seconds` per second. Used by the sign-in
 * limit's object (src/auth/rate-limiter.ts) and the user's execute_code limit (src/user/execute-rate.ts).
 */
import type { Limits } from "../config";

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface Bucket {
  tokens: number;
  at: number;
}

/** Takes one token from `stored` (a full bucket when absent) at `now`; returns the bucket to store and the answer. */
export function takeToken(
  stored: Bucket | undefined,
  capacity: number,
  perSeconds: number,
  now: number,
): { bucket: Bucket; result: TakeResult } {
  const rate = capacity / (perSeconds * 1000);
  const { tokens: had, at } = stored ?? { tokens: capacity, at: now };
  const tokens = Math.min(capacity, had + Math.max(0, now - at) * rate);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, result: { ok: true } };
  return { bucket: { tokens, at: now }, result: { ok: false, retryAfterMs: Math.ceil((1 - tokens) / rate) } };
}

/** The refusal of an execution over the user's `execute_rate_limit`: the limit and how long to wait. */
export function rateLimitMessage(limit: Limits["execute_rate_limit"], retryAfterMs: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return `rate limit: ${limit.executions} executions per ${limit.per_seconds} s for this user; retry in ${seconds} s`;
}
