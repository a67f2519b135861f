/**
 * @module web/web-types
 * What the web pages share through Hono's context: the signed-in user, their web session, and the submitted form.
 */
import type { Env } from "../env";

/** The signed-in browser's session: its cookie secret (to sign out) and the CSRF token its forms carry. */
export interface WebSession {
  user: string;
  secret: string;
  csrf: string;
}

export interface WebVariables {
  /** Set by requireWebUser. */
  webSession: WebSession;
  /** Set by checkCsrf (or readForm): the POST body, read once and bounded. */
  form: URLSearchParams;
}

/** The Hono environment of every web route. */
export interface WebEnv {
  Bindings: Env;
  Variables: WebVariables;
}
