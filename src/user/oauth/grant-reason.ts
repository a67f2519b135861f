/**
 * @module user/oauth/grant-reason
 * Why a user server's grant is `expired` or in `error`, stored as a code and the authorization server's detail
 * (`reason`, `reason_detail` of `oauth_grants`) and worded when it is read, for list_servers and the /connections
 * page alike: a change of wording then reaches every stored grant at once. Grants stored before the code was kept
 * carry the reason as prose in `message`, in the words of its time (with the server's name first in the oldest, and
 * "sign in again with authorize_server" before "a new sign-in is needed"); those read in today's words too, and a
 * text this module does not recognise is shown as it was stored.
 */

/** What ended a grant (status `expired`), or why it could not be renewed for now (status `error`). */
export type GrantReason = "tokens_gone" | "no_refresh_token" | "client_gone" | "refresh_refused" | "renew_failed";

/** The reason of a grant: a code and the authorization server's detail, if any. */
export interface GrantReasonFields {
  reason: GrantReason | null;
  reason_detail: string | null;
}

/** The columns of a grant its reason is read from: today's code, or an older row's prose. */
export interface StoredReason extends GrantReasonFields {
  server: string;
  message: string | null;
}

/** The fields that clear a grant's reason (a sign-in completed or began again). */
export const NO_REASON: GrantReasonFields & { message: null } = { reason: null, reason_detail: null, message: null };

/** The stored fields of `reason` (a code is what is stored; see the module comment). */
export const reasonFields = (
  reason: GrantReason,
  detail: string | null = null,
): GrantReasonFields & { message: null } => ({
  reason,
  reason_detail: detail,
  message: null,
});

/** Today's words for `reason`, with the authorization server's `detail` where it has one. */
export function reasonText(reason: GrantReason, detail: string | null): string {
  switch (reason) {
    case "tokens_gone":
      return "the stored tokens are gone; a new sign-in is needed";
    case "no_refresh_token":
      return "the access token expired and no refresh token was issued";
    case "client_gone":
      return "the client registration needed to renew the token is gone";
    case "refresh_refused":
      return `the authorization server refused to renew the token (${detail ?? "no detail"}); a new sign-in is needed`;
    case "renew_failed":
      return `could not renew the token: ${detail ?? "no detail"}`;
  }
}

const isReason = (value: unknown): value is GrantReason =>
  value === "tokens_gone" ||
  value === "no_refresh_token" ||
  value === "client_gone" ||
  value === "refresh_refused" ||
  value === "renew_failed";

/** Endings an older version gave the reasons that said a new sign-in was needed. */
const SIGN_IN_AGAIN = ["; sign in again with authorize_server", "; a new sign-in is needed"];
const REFUSED = "the authorization server refused to renew the token (";
const RENEW_FAILED = "could not renew the token: ";

/** The code and detail an older version's prose stood for, or undefined for a text it never wrote. */
export function legacyReason(server: string, message: string): GrantReasonFields | undefined {
  // The oldest rows name the server first ("notes: the stored tokens are gone; ..."): compared, never matched.
  const text = message.startsWith(`${server}: `) ? message.slice(server.length + 2) : message;
  const ending = SIGN_IN_AGAIN.find((end) => text.endsWith(end));
  const body = ending ? text.slice(0, -ending.length) : text;
  if (ending && body === "the stored tokens are gone") return { reason: "tokens_gone", reason_detail: null };
  if (!ending && text === reasonText("no_refresh_token", null))
    return { reason: "no_refresh_token", reason_detail: null };
  if (!ending && text === reasonText("client_gone", null)) return { reason: "client_gone", reason_detail: null };
  if (ending && body.startsWith(REFUSED) && body.endsWith(")")) {
    return { reason: "refresh_refused", reason_detail: body.slice(REFUSED.length, -1) };
  }
  if (!ending && text.startsWith(RENEW_FAILED)) {
    return { reason: "renew_failed", reason_detail: text.slice(RENEW_FAILED.length) };
  }
  return undefined;
}

/** The reason a grant shows, in today's words, or undefined when it has none. */
export function grantMessage(row: StoredReason): string | undefined {
  if (isReason(row.reason)) return reasonText(row.reason, row.reason_detail);
  if (!row.message) return undefined;
  const legacy = legacyReason(row.server, row.message);
  return legacy?.reason ? reasonText(legacy.reason, legacy.reason_detail) : row.message;
}
