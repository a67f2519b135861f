/**
 * Headers the Worker sets when it forwards a request to a session Durable Object. The Worker deletes any
 * client-sent copies first, and Durable Objects are reachable only through the Worker, so the DO trusts them.
 */
export const USER_HEADER = "x-codemode-user";
export const SESSION_HEADER = "x-codemode-session";
export const INITIALIZE_HEADER = "x-codemode-initialize";
/** Set (to the context id) on 2026-07-28 requests, which the object serves statelessly in that context. */
export const CONTEXT_HEADER = "x-codemode-context";
/** Set when the Worker minted the context for this request (`context: "new"`): the object may start it. */
export const NEW_CONTEXT_HEADER = "x-codemode-new-context";
export const INTERNAL_HEADERS = [
  USER_HEADER,
  SESSION_HEADER,
  INITIALIZE_HEADER,
  CONTEXT_HEADER,
  NEW_CONTEXT_HEADER,
] as const;

/** The Durable Object name of a session: state is bound to the user, never to the session id alone. */
export function sessionObjectName(user: string, sessionId: string): string {
  return `${user}:${sessionId}`;
}
