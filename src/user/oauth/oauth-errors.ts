/**
 * @module user/oauth/oauth-errors
 * What a failed OAuth step tells the user: short, actionable, and never a credential. Authorization servers'
 * error bodies are echoed by the SDK ("Raw body: …"), so messages are capped and scrubbed of every secret the
 * step held; an issuer mismatch names no value from the response (it is attacker-controlled in a mix-up).
 */
import { IssuerMismatchError, OAuthError, RegistrationRejectedError } from "@modelcontextprotocol/client";
import { summarizeBody } from "../../registry/upstream-errors";

/** Longest detail kept from an authorization server's answer. */
const MAX_DETAIL_CHARS = 300;

/** Strips control characters, caps the length and replaces any of `secrets` with a marker. */
export function cleanDetail(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  out = out.replace(/\p{Cc}+/gu, " ").trim();
  return out.length > MAX_DETAIL_CHARS ? `${out.slice(0, MAX_DETAIL_CHARS - 1)}…` : out;
}

/** The message of an error thrown by an OAuth step, for the user. */
export function describeOAuthError(err: unknown, secrets: readonly string[] = []): string {
  if (err instanceof IssuerMismatchError) {
    return err.kind === "authorization_response"
      ? "the sign-in response did not come from the server's authorization server (RFC 9207 iss check); nothing was stored"
      : "the authorization server's metadata names another issuer than the one it was fetched from (RFC 8414)";
  }
  if (err instanceof OAuthError) return cleanDetail(`${err.code}: ${err.message}`, secrets);
  // Its body may be a web server's HTML page (an origin with no /register): its text, never the markup.
  if (err instanceof RegistrationRejectedError) {
    const body = summarizeBody(String(err.body ?? ""));
    return cleanDetail(`Dynamic Client Registration rejected (HTTP ${err.status})${body ? `: ${body}` : ""}`, secrets);
  }
  if (err instanceof Error) return cleanDetail(err.message, secrets);
  return cleanDetail(String(err), secrets);
}
