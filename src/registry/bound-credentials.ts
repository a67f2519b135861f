/**
 * @module registry/bound-credentials
 * A connection to one of the user's servers sends its credentials only to the URL it was opened to, and only while the
 * user's record still names that URL. The user may remove the server, or point its name at another URL (remove it
 * and add it again), at any moment; a session sees the change within a couple of seconds
 * (src/session/user-server-sync.ts), and a program already running goes on with the connections it has. So:
 *
 * - credentials the user object hands out for the name at another URL are refused ({@link boundSource}), never sent
 *   to the old one, and a step-up is checked first so that the old server's challenge starts no sign-in for the new;
 * - before every request that carries credentials (the Authorization header, or one of the server's own headers) the
 *   connection asks the user object for the server's URL now ({@link currentUrlOnly}): once it is not the
 *   connection's, nothing is sent, so the old URL never receives a token or a header from the moment of the change.
 *
 * The URLs named in these errors are shown without their query string, which may hold a key.
 */
import type { ServerConfig } from "../config";
import type { UserConnection } from "../user/user-connections";
import { UrlRefusedError } from "./guarded-fetch";
import { displayUrl } from "./server-entry";
import type { FetchLike } from "./upstream";
import type { ConnectionSource } from "./user-upstream";

/** The URL the user's record names for a server now (undefined: the server is gone), from the user object. */
export type CurrentUrl = (name: string) => Promise<string | undefined>;

const sameUrl = (a: string, b: string) =>
  a === b || (URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href);

/** Why a connection to `config.url` sends nothing now that the server's record names `now` (or no server). */
function movedMessage(config: ServerConfig, now: string | undefined): string {
  const what =
    now === undefined
      ? `${config.name} was removed since this connection to ${displayUrl(config.url)} opened`
      : `the server's URL changed to ${displayUrl(now)} since this connection to ${displayUrl(config.url)} opened`;
  return `${what}: its credentials are not sent to the old URL (the session connects to the new one once it has seen the change)`;
}

/** `source` for a connection to `config.url` only (see the module comment). */
export function boundSource(config: ServerConfig, source: ConnectionSource): ConnectionSource {
  const moved = (url: string): UserConnection => ({ ok: false, status: "error", message: movedMessage(config, url) });
  return async (name, opts) => {
    if (opts?.stepUp) {
      const now = await source(name);
      if (now.ok && !sameUrl(now.url, config.url)) return moved(now.url);
    }
    const c = await source(name, opts);
    return c.ok && !sameUrl(c.url, config.url) ? moved(c.url) : c;
  };
}

/** The credential headers a connection sends (lower-case names), set once its credentials are known. */
export interface CredentialHeaders {
  names: Set<string>;
}

/**
 * `base` for a connection to `config.url` that sends no request carrying credentials (`authorization`, or a name in
 * `headers`) unless `currentUrl` still names `config.url`: such a request is refused unsent with why.
 */
export function currentUrlOnly(
  config: ServerConfig,
  currentUrl: CurrentUrl,
  headers: CredentialHeaders,
  base: FetchLike,
): FetchLike {
  // Requests that start while a check is on its way share it: a `Promise.all` of a thousand calls asks the user
  // object once or a few times, not a thousand. A request may share a check that started a moment before it, never
  // one that has ended.
  let inFlight: Promise<string | undefined> | undefined;
  const check = () => {
    inFlight ??= currentUrl(config.name).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  return async (input, init) => {
    const sent = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    let credentialed = sent.has("authorization");
    for (const name of headers.names) credentialed ||= sent.has(name);
    if (credentialed) {
      const now = await check();
      if (now === undefined || !sameUrl(now, config.url)) {
        throw new UrlRefusedError(`${config.name}: ${movedMessage(config, now)}`);
      }
    }
    return base(input, init);
  };
}
