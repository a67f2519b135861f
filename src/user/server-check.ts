/**
 * @module user/server-check
 * What one of the user's servers answers a request without credentials: the check the gateway makes when a server
 * is added without headers (so the connections page shows what it needs instead of claiming it is connected), and
 * the probe for the 401 challenge a sign-in starts from (src/user/oauth/oauth-flows.ts). An MCP `initialize` POST,
 * then, after a 4xx other than 401, the GET of the older HTTP+SSE transport (the MCP rule for falling back to it);
 * after a 401 without an OAuth challenge, the well-known protected resource metadata (a server may publish it there
 * instead). No MCP body is read, and the whole check is bounded by {@link SERVER_CHECK_TIMEOUT_MS}.
 */
import { extractWWWAuthenticateParams } from "@modelcontextprotocol/client";
import { UrlRefusedError } from "../registry/guarded-fetch";
import { readCapped } from "../shared/read-capped";

/** The `fetch` a check sends through (the SDK's and the registry's both fit). */
export type CheckFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Longest a check (or the probe for a challenge) waits on the server. */
export const SERVER_CHECK_TIMEOUT_MS = 10_000;

/** A `WWW-Authenticate` challenge: what it names, and whether it asks for an OAuth bearer token. */
export interface Challenge {
  oauth: boolean;
  resourceMetadataUrl?: URL;
  scope?: string;
}

/** What a server answered one request without credentials. */
export interface ProbeAnswer {
  status: number;
  challenge?: Challenge;
  /** The MCP session an `initialize` answered with a 2xx opened. */
  session?: string;
}

/** What the check of a server without credentials found (safe to show the user; never a credential). */
export type ServerCheck =
  /** It answered without asking for credentials. */
  | { kind: "open" }
  /** It answered 401 with an OAuth challenge: it signs users in with OAuth. */
  | { kind: "challenge"; resourceMetadataUrl?: string; scope?: string }
  /** It could not be reached, or refused in a way no sign-in fixes. */
  | { kind: "failed"; error: string };

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "codemode-gateway", version: "1" } },
});

async function answerOf(response: Response): Promise<ProbeAnswer> {
  await response.body?.cancel().catch(() => {});
  const www = response.headers.get("www-authenticate");
  if (www === null) return { status: response.status };
  const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
  const challenge: Challenge = {
    oauth: /^\s*bearer\b/i.test(www) || /resource_metadata=/i.test(www),
    ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}),
    ...(scope ? { scope } : {}),
  };
  return { status: response.status, challenge };
}

/** Sends an MCP `initialize` without credentials to `url`; throws what `fetch` throws (unreachable, timed out). */
export async function probeInitialize(url: string, fetch: CheckFetch, signal: AbortSignal): Promise<ProbeAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: INITIALIZE,
    signal,
  });
  const session = response.ok ? response.headers.get("mcp-session-id") : null;
  return { ...(await answerOf(response)), ...(session ? { session } : {}) };
}

function describeFailure(err: unknown): string {
  const e = err as Error;
  if (e?.name === "TimeoutError" || e?.name === "AbortError") {
    return `it did not answer within ${SERVER_CHECK_TIMEOUT_MS / 1000} s`;
  }
  if (err instanceof UrlRefusedError) return e.message;
  return `could not reach it: ${String(e?.message ?? err).slice(0, 300)}`;
}

/** Largest protected resource metadata document read (it is a few hundred bytes). */
const MAX_METADATA_BYTES = 64 * 1024;

/**
 * The protected resource metadata of a server that answered 401 without a challenge naming it: MCP lets a server
 * publish it at the RFC 9728 well-known URL instead (with the endpoint's path, then at the root). Its URL when one
 * of them is metadata naming an authorization server.
 */
async function wellKnownMetadata(url: string, fetch: CheckFetch, signal: AbortSignal): Promise<string | undefined> {
  const endpoint = new URL(url);
  const path = endpoint.pathname === "/" ? "" : endpoint.pathname.replace(/\/$/, "");
  const candidates = [
    ...new Set([`/.well-known/oauth-protected-resource${path}`, "/.well-known/oauth-protected-resource"]),
  ];
  for (const candidate of candidates) {
    const at = new URL(candidate, endpoint.origin).href;
    // The server answered 401 already: a metadata fetch that fails (refused, reset) means no metadata, not that
    // the server is unreachable.
    const metadata = await fetch(at, { headers: { accept: "application/json" }, signal })
      .then(async (response) => {
        if (response.ok) return readCapped(response.body, MAX_METADATA_BYTES);
        await response.body?.cancel().catch(() => {});
        return undefined;
      })
      .catch((err) => {
        if ((err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError") throw err;
        return undefined;
      });
    if (metadata !== undefined && describesResource(metadata, endpoint)) return at;
  }
  return undefined;
}

/**
 * Whether `text` is protected resource metadata naming an authorization server for the server at `endpoint`: its
 * `resource` is that URL or one of its path prefixes on the same origin (RFC 9728 §3.3), so on a shared origin the
 * root document of one server does not turn another into an OAuth server.
 */
function describesResource(text: string, endpoint: URL): boolean {
  let doc: { authorization_servers?: unknown; resource?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    return false;
  }
  if (!Array.isArray(doc?.authorization_servers) || doc.authorization_servers.length === 0) return false;
  if (typeof doc.resource !== "string" || !URL.canParse(doc.resource)) return false;
  const resource = new URL(doc.resource);
  const prefix = resource.pathname.endsWith("/") ? resource.pathname : `${resource.pathname}/`;
  return (
    resource.origin === endpoint.origin &&
    (endpoint.pathname === resource.pathname || `${endpoint.pathname}/`.startsWith(prefix))
  );
}

/** What a 401 says: a challenge to sign in with OAuth, or a refusal that only credentials in headers fix. */
async function unauthorized(
  answer: ProbeAnswer,
  url: string,
  fetch: CheckFetch,
  signal: AbortSignal,
): Promise<ServerCheck> {
  const challenge = answer.challenge;
  if (!challenge?.oauth) {
    const metadata = await wellKnownMetadata(url, fetch, signal);
    if (metadata) return { kind: "challenge", resourceMetadataUrl: metadata };
    return {
      kind: "failed",
      error:
        "it refused a request without credentials (HTTP 401) and offers no OAuth sign-in: add it with the headers it needs",
    };
  }
  return {
    kind: "challenge",
    ...(challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl.href } : {}),
    ...(challenge.scope ? { scope: challenge.scope } : {}),
  };
}

/** Checks the server at `url` without credentials (see the module comment); never throws. */
export async function checkServer(url: string, fetch: CheckFetch): Promise<ServerCheck> {
  const signal = AbortSignal.timeout(SERVER_CHECK_TIMEOUT_MS);
  try {
    const post = await probeInitialize(url, fetch, signal);
    if (post.session) {
      // The server opened a session for the probe: end it rather than leave it to expire (best effort).
      await fetch(url, { method: "DELETE", headers: { "mcp-session-id": post.session }, signal })
        .then((r) => r.body?.cancel())
        .catch(() => {});
    }
    if (post.status === 401) return await unauthorized(post, url, fetch, signal);
    if (post.status >= 500) return { kind: "failed", error: `it answered HTTP ${post.status}` };
    if (post.status < 400) return { kind: "open" };
    // A 4xx to the POST: an older HTTP+SSE server answers its GET with an event stream.
    const get = await answerOf(await fetch(url, { headers: { accept: "text/event-stream" }, signal }));
    if (get.status === 401) return await unauthorized(get, url, fetch, signal);
    if (get.status < 400) return { kind: "open" };
    return {
      kind: "failed",
      error: `it answered HTTP ${post.status} (and HTTP ${get.status} to the GET of the older HTTP+SSE transport): is the URL its MCP endpoint?`,
    };
  } catch (err) {
    return { kind: "failed", error: describeFailure(err) };
  }
}
