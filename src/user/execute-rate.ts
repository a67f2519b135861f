/**
 * @module user/execute-rate
 * The user's `execute_code` rate limit (`limits.execute_rate_limit`): one token bucket per user, shared by all of the
 * user's sessions and contexts, kept in the user object's storage and taken in the same round trip as the
 * execution's slot (src/user/execution-slots.ts). It lived in a Durable Object of its own, one more round trip
 * before every execution.
 */
import { type Bucket, rateLimitMessage, takeToken } from "../auth/token-bucket";
import type { Limits } from "../config";

const KEY = "execute_rate";

export class ExecuteRate {
  readonly #kv: SyncKvStorage;
  #bucket: Bucket | undefined;

  constructor(kv: SyncKvStorage) {
    this.#kv = kv;
  }

  /** Takes one execution from the budget; the refusal's message when it is spent (undefined: the limit is off). */
  take(limit: Limits["execute_rate_limit"], now = Date.now()): string | undefined {
    if (limit.executions === 0) return undefined;
    const { bucket, result } = takeToken(
      this.#bucket ?? this.#kv.get<Bucket>(KEY),
      limit.executions,
      limit.per_seconds,
      now,
    );
    this.#bucket = bucket;
    this.#kv.put(KEY, bucket);
    return result.ok ? undefined : rateLimitMessage(limit, result.retryAfterMs);
  }
}
