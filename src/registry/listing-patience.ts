/**
 * @module registry/listing-patience
 * How long a reader waits for a server its session has never listed. Each new session lists every server before it
 * can answer, so one server that does not answer would hold up every new session for its whole connect timeout (for
 * a client that opens a session per call, every call). A reader that can go on without it (an execution that does
 * not import it, list_servers, search) waits {@link FIRST_LISTING_PATIENCE_MS}, then gets the server as "still
 * connecting" while its listing goes on (src/registry/registry.ts `catalog({ patienceMs })`). A failed listing is
 * remembered per user and server for the isolate's other sessions, which then wait only briefly, and are told the
 * server failed (with why), not that it is still connecting.
 */

import { serverKey } from "./server-key";

/** How long a reader that can go on without it waits for a server its session has never listed. */
export const FIRST_LISTING_PATIENCE_MS = 3_000;
/**
 * How long a failed listing is remembered for the isolate's other sessions, and their patience meanwhile: long enough
 * for a listing served from the catalog store or failing fast (an open circuit), short enough that a client opening
 * a session per call does not wait 3 s on every call for a server that is down.
 */
const RECENT_FAILURE_MS = 60_000;
const FAILED_PATIENCE_MS = 500;
const MAX_FAILED_LISTINGS = 10_000;

type Failure = { at: number; message: string };

/** The last failed listing of each server (per user), for the isolate's sessions; cleared by a listing that works. */
const failedListings = new Map<string, Failure>();

/** Where a server's last failed listing is kept: per user, server name and URL (hashed: src/registry/server-key.ts). */
export function failureKey(user: string | undefined, server: { name: string; url: string }): string {
  return serverKey(user ?? "", server.name, server.url);
}

/**
 * Keeps `failure` as the last failed listing under `key`. The map is in the order failures were remembered, so the
 * ones past {@link RECENT_FAILURE_MS} (which no longer shorten any wait) are dropped from its front as it goes.
 */
export function rememberFailure(key: string, failure: Failure): void {
  failedListings.delete(key);
  const now = Date.now();
  for (const [oldest, { at }] of failedListings) {
    if (now - at < RECENT_FAILURE_MS && failedListings.size < MAX_FAILED_LISTINGS) break;
    failedListings.delete(oldest);
  }
  failedListings.set(key, failure);
}

/** How many failed listings the isolate remembers (for tests of the bounds). */
export function rememberedFailures(): number {
  return failedListings.size;
}

export function forgetFailure(key: string): void {
  failedListings.delete(key);
}

function recentFailure(key: string): Failure | undefined {
  const failed = failedListings.get(key);
  return failed !== undefined && Date.now() - failed.at < RECENT_FAILURE_MS ? failed : undefined;
}

/** The patience for a server: `patienceMs`, or briefly when its last listing failed recently. */
export function patienceFor(key: string, patienceMs: number): number {
  return recentFailure(key) ? Math.min(patienceMs, FAILED_PATIENCE_MS) : patienceMs;
}

/** The first line of a failure, as a one-line list names it (list_servers has the whole message). */
export function firstLine(message: string, max = 200): string {
  const line = message.split("\n", 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * What a reader is told of a server whose listing has run past its wait of `ms`. A server whose last listing failed
 * (in any session of the isolate, within the last minute) is said to have failed, with why: it is listed again in the
 * background, but a model told "still connecting, try again shortly" would ask again and again, and asking does not
 * fix a server that refuses connections or is not an MCP endpoint. `failed` is that failure (for `lastError`).
 */
export function lateListing(key: string, ms: number): { error: string; failed?: Failure } {
  const failed = recentFailure(key);
  if (!failed) {
    return {
      error: `still connecting: its first listing has taken over ${ms / 1000} s and goes on in the background; try again shortly (list_servers shows when it is done)`,
    };
  }
  const ago = Math.round((Date.now() - failed.at) / 1000);
  return {
    error: `failed ${ago} s ago: ${firstLine(failed.message, 300)}; asking again will not help until that is fixed (it is listed again in the background)`,
    failed,
  };
}

/** `entry`, or past `ms` what `late()` makes (the listing goes on). */
export async function patiently<T>(entry: Promise<T>, ms: number, late: () => T): Promise<T> {
  entry.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  try {
    return await Promise.race([entry, waited]);
  } finally {
    clearTimeout(timer);
  }
}
