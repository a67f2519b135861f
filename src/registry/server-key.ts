/**
 * @module registry/server-key
 * Keys of the isolate's in-memory maps per user and server (circuits, failed listings). A user server's URL is the
 * user's data and may be 2 KB long; tens of thousands of such keys held whole would be tens of megabytes in an
 * isolate other users share. The URL is kept only as a 53-bit hash: a different URL under the same user and name is
 * a different key (a server removed and added again elsewhere starts afresh), and a collision would only share a
 * circuit or a patience between two URLs of one user's server of one name.
 */

/** cyrb53 (public domain): a fast, well-mixed 53-bit string hash, as 14 hex digits. Not cryptographic. */
export function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}

/** The key of `user`'s server `name` at `url` (user ids and server names are bounded; the URL is hashed). */
export function serverKey(user: string, name: string, url: string): string {
  return JSON.stringify([user, name, hash53(url)]);
}
