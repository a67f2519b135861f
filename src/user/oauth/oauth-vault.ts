/**
 * @module user/oauth/oauth-vault
 * Seals and opens the OAuth secrets of one user (tokens, client registrations, PKCE verifiers) with
 * `CONNECTIONS_KEY` (src/user/connections-key.ts). Each blob is bound to the user, its purpose and its row, so a
 * blob copied to another server's row or another user's storage does not open.
 */
import { type ConnectionsKeys, seal, sealContext, unseal } from "../connections-key";

/** What a sealed blob holds: it names the additional authenticated data. */
export type SealPurpose = "oauth-tokens" | "oauth-client" | "oauth-verifier";

/** The sealing of one user's OAuth secrets. */
export class OAuthVault {
  readonly #keys: ConnectionsKeys;
  readonly #user: string;

  constructor(keys: ConnectionsKeys, user: string) {
    this.#keys = keys;
    this.#user = user;
  }

  seal(purpose: SealPurpose, name: string, value: unknown): Promise<string> {
    return seal(this.#keys, JSON.stringify(value), sealContext(this.#user, purpose, name));
  }

  async open<T>(purpose: SealPurpose, name: string, sealed: string): Promise<T> {
    return JSON.parse(await unseal(this.#keys, sealed, sealContext(this.#user, purpose, name))) as T;
  }
}
