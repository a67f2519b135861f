/**
 * @module user/user-api
 * The per-user object's RPC surface as its callers see it (sessions, contexts, web pages): the stub of a user's
 * object and the methods they may call. The object itself is src/user/user-object.ts.
 */
import type { Env } from "../env";
import type { UserObject } from "./user-object";

/** The user object's RPC surface as callers use it (stub types turn the `unknown` fields of results into `never`). */
export type UserApi = Pick<
  UserObject,
  | "startExecution"
  | "executionStarted"
  | "renewExecution"
  | "finishExecution"
  | "listExecutions"
  | "pageExecutions"
  | "executionSession"
  | "skillRuns"
  | "pendingApprovals"
  | "getExecution"
  | "approveCall"
  | "reopenApproval"
  | "renewSignIn"
  | "denyCall"
  | "addContext"
  | "listContexts"
  | "removeContext"
  | "startAuthorization"
  | "beginAuthorization"
  | "completeAuthorization"
  | "oauthAccessToken"
  | "oauthStatus"
  | "forgetOAuth"
  | "addServer"
  | "checkServer"
  | "recordServerListing"
  | "removeServer"
  | "listServers"
  | "serversVersion"
  | "userServerUrl"
  | "sessionServers"
  | "authStatus"
  | "connectionFor"
  | "requireAuthorization"
  | "setSecret"
  | "deleteSecret"
  | "listSecrets"
>;

/** The object of `user` (named by the user id). */
export function userObject(env: Env, user: string): UserApi {
  return env.USER.getByName(user) as unknown as UserApi;
}
