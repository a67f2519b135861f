/**
 * Headers the Worker sets when it forwards a request to a session Durable Object. The Worker deletes any
 * client-sent copies first, and Durable Objects are reachable only through the Worker, so the DO trusts them.
 */
export const USER_HEADER = "x-codemode-user";
export const SESSION_HEADER = "x-codemode-session";
export const INITIALIZE_HEADER = "x-codemode-initialize";
export const INTERNAL_HEADERS = [USER_HEADER, SESSION_HEADER, INITIALIZE_HEADER] as const;

/** The Durable Object name of a session: state is bound to the user, never to the session id alone. */
export function sessionObjectName(user: string, sessionId: string): string {
  return `${user}:${sessionId}`;
}
