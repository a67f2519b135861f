/**
 * @module auth/api-keys
 * API keys: bearer tokens listed in a Worker secret (default `API_KEYS`), each mapped to a user id. The secret
 * holds entries `<user>:<key>` or, better, `<user>:sha256:<64 hex>` (scripts/api-key.mjs prints one), separated
 * by newlines, commas or spaces. Keys are hashed once per isolate and only hashes are kept in memory; a presented
 * token is hashed with SHA-256 and compared against every entry in constant time, so neither the match position
 * nor the number of matching bytes shows in the timing.
 */

/** User ids name Durable Objects (`<user>:<session>`): no ':' so that name is unambiguous, and a short charset. */
export const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
/** Raw keys shorter than this are refused: they would be guessable through /authorize or /mcp. */
export const MIN_RAW_KEY_LENGTH = 24;
const HASHED = /^sha256:([0-9a-fA-F]{64})$/;

export interface ApiKeyEntry {
  user: string;
  /** SHA-256 of the key. */
  hash: Uint8Array;
}

export type ApiKeyTable = { ok: true; entries: ApiKeyEntry[] } | { ok: false; error: string };

const cache = new Map<string, Promise<ApiKeyTable>>();

/** SHA-256 of a string's UTF-8 bytes. */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Parses the API key secret. Errors name the secret and the entry's position, never a key. Cached per secret
 * value, so rotating the secret (a new deployment) takes effect at once.
 */
export function loadApiKeys(secretName: string, raw: unknown): Promise<ApiKeyTable> {
  if (typeof raw !== "string" || raw.trim() === "") {
    return Promise.resolve({
      ok: false,
      error: `auth: the secret ${secretName} is not set; add "<user>:<key>" entries with: wrangler secret put ${secretName}`,
    });
  }
  let hit = cache.get(raw);
  if (!hit) {
    hit = parseApiKeys(secretName, raw);
    cache.set(raw, hit);
  }
  return hit;
}

async function parseApiKeys(secretName: string, raw: string): Promise<ApiKeyTable> {
  const entries: ApiKeyEntry[] = [];
  const items = raw.split(/[\s,]+/).filter(Boolean);
  for (const [i, item] of items.entries()) {
    const colon = item.indexOf(":");
    const user = colon > 0 ? item.slice(0, colon) : "";
    const key = colon > 0 ? item.slice(colon + 1) : "";
    const where = `${secretName} entry ${i + 1}`;
    if (!USER_ID.test(user)) {
      return {
        ok: false,
        error: `auth: ${where} must look like <user>:<key>; user ids use letters, digits, '_', '.', '@', '-' (no ':'), at most 64`,
      };
    }
    const hashed = HASHED.exec(key);
    if (hashed) {
      entries.push({ user, hash: hexToBytes(hashed[1]!) });
    } else if (key.length < MIN_RAW_KEY_LENGTH) {
      return {
        ok: false,
        error: `auth: ${where} (user ${user}) has a key shorter than ${MIN_RAW_KEY_LENGTH} characters; generate one with: node scripts/api-key.mjs ${user}`,
      };
    } else {
      entries.push({ user, hash: await sha256(key) });
    }
  }
  if (entries.length === 0) return { ok: false, error: `auth: the secret ${secretName} lists no keys` };
  return { ok: true, entries };
}

/** Constant-time equality of two 32-byte digests. */
function digestEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The user a presented key belongs to, or undefined. Every entry is compared, whatever matches first. */
export async function userForApiKey(token: string, entries: readonly ApiKeyEntry[]): Promise<string | undefined> {
  const hash = await sha256(token);
  let user: string | undefined;
  for (const entry of entries) {
    if (digestEqual(hash, entry.hash) && user === undefined) user = entry.user;
  }
  return user;
}
