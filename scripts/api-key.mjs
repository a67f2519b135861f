#!/usr/bin/env node
// Makes an API key for a gateway user: prints the key (give it to the user; it is shown once) and the line to
// put in the API_KEYS Worker secret, which holds only the key's SHA-256 (src/auth/api-keys.ts).
//   node scripts/api-key.mjs alice
import { createHash, randomBytes } from "node:crypto";

const user = process.argv[2];
if (!user || !/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/.test(user)) {
  console.error("usage: node scripts/api-key.mjs <user>   (user ids: letters, digits, '_', '.', '@', '-'; no ':')");
  process.exit(2);
}
const key = `cgk_${randomBytes(32).toString("base64url")}`;
const hash = createHash("sha256").update(key).digest("hex");
console.log(`API key for ${user} (give it to them; it is not stored anywhere):\n  ${key}\n`);
console.log(
  `Line for the API_KEYS secret (one entry per line; wrangler secret put API_KEYS):\n  ${user}:sha256:${hash}`,
);
