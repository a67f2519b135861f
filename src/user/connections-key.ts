/**
 * @module user/connections-key
 * Sealing of per-user credentials at rest (user secrets, header values, OAuth tokens) with the Worker secret
 * `CONNECTIONS_KEY`: AES-256-GCM through WebCrypto, a random 12-byte IV per seal, and additional authenticated
 * data that binds each blob to its user, purpose and name, so a sealed value copied to another row or another
 * user's storage fails to open.
 *
 * Rotation: set the new key as `CONNECTIONS_KEY` and the old one as `CONNECTIONS_KEY_PREVIOUS`. Blobs are opened
 * with either key and always sealed with the current one, so values move to the new key as they are rewritten.
 */

/** Why a credential cannot be stored or read without the key, and how to set it. */
export const MISSING_KEY_HELP =
  "set CONNECTIONS_KEY: 32 random bytes as hex or base64 (openssl rand -hex 32), with `wrangler secret put CONNECTIONS_KEY` when deployed, or in .dev.vars locally (then restart npm run dev)";

/** Format version of a sealed blob (`v1.<key id>.<iv>.<ciphertext>`). */
const VERSION = "v1";
const IV_BYTES = 12;
const KEY_BYTES = 32;

/** One AES-GCM key and a short fingerprint, so a blob names the key that sealed it without revealing it. */
export interface ConnectionsKey {
  id: string;
  key: CryptoKey;
}

/** The current key (first) and the previous one, if any. */
export interface ConnectionsKeys {
  current: ConnectionsKey;
  previous?: ConnectionsKey;
}

export type LoadedKeys = { ok: true; keys: ConnectionsKeys } | { ok: false; error: string };

/** In chunks: spreading a large array into one call overflows the stack (a 200 KB token from a hostile server). */
const b64 = (bytes: Uint8Array) => {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x4000) text += String.fromCharCode(...bytes.subarray(i, i + 0x4000));
  return btoa(text);
};
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** 32 bytes from hex (64 digits) or base64 / base64url (with or without padding); undefined otherwise. */
export function parseKeyBytes(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Uint8Array.from(t.match(/../g)!, (h) => Number.parseInt(h, 16));
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return undefined;
  try {
    const bytes = unb64(t.replace(/-/g, "+").replace(/_/g, "/").replace(/=?$/, "="));
    return bytes.length === KEY_BYTES ? bytes : undefined;
  } catch {
    return undefined;
  }
}

async function importKey(name: string, raw: unknown): Promise<ConnectionsKey | string> {
  const bytes = typeof raw === "string" ? parseKeyBytes(raw) : undefined;
  if (!bytes) return `${name} is not 32 bytes as hex (64 digits) or base64; generate one with openssl rand -hex 32`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const id = [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const key = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
  return { id, key };
}

const keyCache = new Map<string, Promise<LoadedKeys>>();

/** Reads `CONNECTIONS_KEY` (and `CONNECTIONS_KEY_PREVIOUS`) from the Worker env; imported once per isolate. */
export function loadConnectionsKeys(env: Record<string, unknown>): Promise<LoadedKeys> {
  const current = Object.hasOwn(env, "CONNECTIONS_KEY") ? env.CONNECTIONS_KEY : undefined;
  const previous = Object.hasOwn(env, "CONNECTIONS_KEY_PREVIOUS") ? env.CONNECTIONS_KEY_PREVIOUS : undefined;
  if (typeof current !== "string" || current.trim() === "") {
    return Promise.resolve({ ok: false, error: MISSING_KEY_HELP });
  }
  const cacheKey = JSON.stringify([current, previous ?? null]);
  let loaded = keyCache.get(cacheKey);
  if (!loaded) {
    loaded = (async (): Promise<LoadedKeys> => {
      const cur = await importKey("CONNECTIONS_KEY", current);
      if (typeof cur === "string") return { ok: false, error: cur };
      if (previous === undefined || previous === "") return { ok: true, keys: { current: cur } };
      const prev = await importKey("CONNECTIONS_KEY_PREVIOUS", previous);
      if (typeof prev === "string") return { ok: false, error: prev };
      return { ok: true, keys: { current: cur, previous: prev } };
    })();
    if (keyCache.size > 8) keyCache.clear();
    keyCache.set(cacheKey, loaded);
  }
  return loaded;
}

/**
 * The additional authenticated data of a blob: user, purpose and name, length-prefixed so no two different
 * triples encode alike (`a:b` + `c` never equals `a` + `b:c`).
 */
export function sealContext(user: string, purpose: string, name: string): string {
  return [user, purpose, name].map((part) => `${part.length}:${part}`).join("|");
}

/** Encrypts `plaintext` with the current key, bound to `aad` (see {@link sealContext}). */
export async function seal(keys: ConnectionsKeys, plaintext: string, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const data = new TextEncoder().encode(plaintext);
  const additionalData = new TextEncoder().encode(aad);
  const cipher = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, keys.current.key, data);
  return [VERSION, keys.current.id, b64(iv), b64(new Uint8Array(cipher))].join(".");
}

/** Thrown when a blob cannot be opened: wrong key, another row's or user's blob, or tampering. */
export class UnsealError extends Error {
  override readonly name = "UnsealError";
}

/** Decrypts a blob sealed by {@link seal} with the current or the previous key; throws {@link UnsealError}. */
export async function unseal(keys: ConnectionsKeys, sealed: string, aad: string): Promise<string> {
  const [version, id, iv, cipher, extra] = sealed.split(".");
  if (version !== VERSION || !id || !iv || !cipher || extra !== undefined) {
    throw new UnsealError("stored credential is not in a known format");
  }
  const key = [keys.current, keys.previous].find((k) => k?.id === id);
  if (!key) {
    throw new UnsealError(
      "stored credential was sealed with a key that is neither CONNECTIONS_KEY nor CONNECTIONS_KEY_PREVIOUS; store it again",
    );
  }
  try {
    const additionalData = new TextEncoder().encode(aad);
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: unb64(iv), additionalData },
      key.key,
      unb64(cipher),
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new UnsealError("stored credential does not open with its key (moved, tampered with, or corrupted)");
  }
}

/** Whether a blob was sealed with an older key than the current one (worth rewriting). */
export function sealedWithPrevious(keys: ConnectionsKeys, sealed: string): boolean {
  return sealed.split(".")[1] !== keys.current.id;
}
