/**
 * @module auth/key-attempts
 * The budget of API key checks from one address: the web sign-in page (src/web/signin-page.tsx) and the OAuth
 * consent page (src/auth/authorize-page.ts) draw from the same bucket, so guessing keys at one of them does not get
 * a second allowance at the other. On Cloudflare the edge sets `cf-connecting-ip` and a client cannot; locally
 * (wrangler dev) a request without it counts as "unknown".
 */
import type { Env } from "../env";

/** Key checks per address in {@link KEY_ATTEMPTS_WINDOW_SECONDS}. */
export const KEY_ATTEMPTS = 10;
export const KEY_ATTEMPTS_WINDOW_SECONDS = 600;

/** Takes one key check for the request's address: undefined when allowed, else the seconds to wait. */
export async function takeKeyAttempt(env: Env, request: Request): Promise<number | undefined> {
  const peer = request.headers.get("cf-connecting-ip") ?? "unknown";
  const taken = await env.RATE_LIMITER.getByName(`signin:${peer}`).take(KEY_ATTEMPTS, KEY_ATTEMPTS_WINDOW_SECONDS);
  return taken.ok ? undefined : Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
}
