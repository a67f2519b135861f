/**
 * @module auth/rate-limiter
 * Per-user rate limit on `execute_code`: a token bucket in one small Durable Object per user (named by the user
 * id), so every session of a user, in any colo, draws from the same bucket. The bucket holds `executions`
 * tokens and refills at `executions / per_seconds` per second; its state is stored, so an evicted object does
 * not hand out a fresh burst.
 */
import { DurableObject } from "cloudflare:workers";
import type { Limits } from "../config";
import type { Env } from "../env";
import type { ExecuteResult } from "../sandbox/execution-types";
import { refusedExecution } from "../sandbox/refused-execution";

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter extends DurableObject<Env> {
  #bucket: Bucket | undefined;

  /** Takes one token, or says how long until one is available. */
  take(capacity: number, perSeconds: number): TakeResult {
    const now = Date.now();
    const rate = capacity / (perSeconds * 1000);
    const stored = this.#bucket ?? this.ctx.storage.kv.get<Bucket>("bucket") ?? { tokens: capacity, at: now };
    const tokens = Math.min(capacity, stored.tokens + Math.max(0, now - stored.at) * rate);
    if (tokens >= 1) {
      this.#save({ tokens: tokens - 1, at: now });
      return { ok: true };
    }
    this.#save({ tokens, at: now });
    return { ok: false, retryAfterMs: Math.ceil((1 - tokens) / rate) };
  }

  #save(bucket: Bucket): void {
    this.#bucket = bucket;
    this.ctx.storage.kv.put("bucket", bucket);
  }
}

/** The MCP-facing refusal: a failed execution whose message says the limit and how long to wait. */
export function rateLimited(limit: Limits["execute_rate_limit"], retryAfterMs: number): ExecuteResult {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return refusedExecution(
    `rate limit: ${limit.executions} executions per ${limit.per_seconds} s for this user; retry in ${seconds} s`,
  );
}

/** Checks the user's execute_code budget; undefined when the execution may run (or the limit is off). */
export async function checkExecuteRate(env: Env, user: string, limits: Limits): Promise<ExecuteResult | undefined> {
  const limit = limits.execute_rate_limit;
  if (limit.executions === 0) return undefined;
  const result = await env.RATE_LIMITER.getByName(user).take(limit.executions, limit.per_seconds);
  return result.ok ? undefined : rateLimited(limit, result.retryAfterMs);
}
