/** Waiting in tests for something the gateway does in the background (a re-list, a run, a change seen). */
import assert from "node:assert/strict";

/** Polls `probe` every 200 ms until it returns a value; fails the test naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
