import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { loadApiKeys, userForApiKey } from "../../../src/auth/api-keys";

const RAW = "k".repeat(30);
const HASHED_KEY = "h".repeat(30);
const hex = createHash("sha256").update(HASHED_KEY).digest("hex");

describe("API keys", () => {
  test("raw and sha256 entries both map their key to the user", async () => {
    const table = await loadApiKeys("API_KEYS", `alice:${RAW}\n bob:sha256:${hex}, carol:${"c".repeat(24)}`);
    assert.ok(table.ok);
    assert.equal(await userForApiKey(RAW, table.entries), "alice");
    assert.equal(await userForApiKey(HASHED_KEY, table.entries), "bob");
    assert.equal(await userForApiKey("c".repeat(24), table.entries), "carol");
  });

  test("an unknown key, a prefix of a key, and the stored hash itself match nobody", async () => {
    const table = await loadApiKeys("API_KEYS", `alice:${RAW} bob:sha256:${hex}`);
    assert.ok(table.ok);
    for (const wrong of ["", RAW.slice(0, -1), `${RAW}x`, hex, `sha256:${hex}`]) {
      assert.equal(await userForApiKey(wrong, table.entries), undefined, wrong);
    }
  });

  test("only hashes are kept: the table holds no raw key", async () => {
    const table = await loadApiKeys("API_KEYS", `alice:${RAW}`);
    assert.ok(table.ok);
    assert.ok(!JSON.stringify(table.entries, (_, v) => (v instanceof Uint8Array ? [...v] : v)).includes(RAW));
  });

  test("a missing secret names the secret and how to set it", async () => {
    const table = await loadApiKeys("MY_KEYS", undefined);
    assert.equal(table.ok, false);
    assert.match(!table.ok ? table.error : "", /MY_KEYS is not set.*wrangler secret put MY_KEYS/);
  });

  test("a user id outside the charset or a short raw key is refused without echoing the key", async () => {
    const slash = await loadApiKeys("API_KEYS", `a/b:${RAW}`);
    assert.equal(slash.ok, false);
    assert.doesNotMatch(!slash.ok ? slash.error : "", new RegExp(RAW));
    const short = await loadApiKeys("API_KEYS", "alice:short-key-123");
    assert.equal(short.ok, false);
    assert.match(!short.ok ? short.error : "", /entry 1 \(user alice\) has a key shorter than 24/);
    assert.doesNotMatch(!short.ok ? short.error : "", /short-key-123/);
  });
});
