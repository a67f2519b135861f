/**
 * @module auth/rate-limiter
 * A token bucket (src/auth/token-bucket.ts) in a small Durable Object per key (API key checks per address,
 * src/auth/key-attempts.ts). The per-user `execute_code` bucket lives in the user object instead
 * (src/user/execute-rate.ts), which every execution asks for a slot anyway: one round trip before a run, not two.
 * Buckets are stored, so an evicted object does not hand out a fresh burst.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { type Bucket, type TakeResult, takeToken } from "./token-bucket";

export class RateLimiter extends DurableObject<Env> {
  #bucket: Bucket | undefined;

  /** Takes one token, or says how long until one is available. */
  take(capacity: number, perSeconds: number): TakeResult {
    const { bucket, result } = takeToken(
      this.#bucket ?? this.ctx.storage.kv.get<Bucket>("bucket"),
      capacity,
      perSeconds,
      Date.now(),
    );
    this.#bucket = bucket;
    this.ctx.storage.kv.put("bucket", bucket);
    return result;
  }
}
