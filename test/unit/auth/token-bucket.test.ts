/**
 * The token bucket behind execute_rate_limit and the sign-in limit (src/auth/token-bucket.ts): a full
 * bucket to start, one token per take, refill in proportion to the time passed, capped at the capacity.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Bucket, rateLimitMessage, takeToken } from "../../../src/auth/token-bucket";

test("a bucket starts full, refuses once empty with the wait for one token, and refills with time", () => {
  let bucket: Bucket | undefined;
  const take = (now: number) => {
    const taken = takeToken(bucket, 3, 60, now);
    bucket = taken.bucket;
    return taken.result;
  };
  for (let i = 0; i < 3; i++) assert.deepEqual(take(1_000), { ok: true });
  assert.deepEqual(take(1_000), { ok: false, retryAfterMs: 20_000 }, "one token per 20 s at 3 per 60 s");
  assert.deepEqual(take(11_000), { ok: false, retryAfterMs: 10_000 }, "half a token refilled after 10 s");
  assert.deepEqual(take(21_000), { ok: true });
  assert.deepEqual(take(1_000_000), { ok: true }, "a long pause refills to the capacity, no more");
  assert.equal(bucket!.tokens, 2);
});

test("the refusal names the limit and rounds the wait up to whole seconds", () => {
  assert.equal(
    rateLimitMessage({ executions: 3, per_seconds: 3600 }, 1),
    "rate limit: 3 executions per 3600 s for this user; retry in 1 s",
  );
});
