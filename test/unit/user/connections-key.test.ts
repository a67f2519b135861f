import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConnectionsKeys, parseKeyBytes, seal, sealContext, unseal } from "../../../src/user/connections-key";

const HEX_A = "11".repeat(32);
const HEX_B = "22".repeat(32);

async function keys(env: Record<string, unknown>) {
  const loaded = await loadConnectionsKeys(env);
  assert.ok(loaded.ok, loaded.ok ? "" : loaded.error);
  return loaded.keys;
}

describe("CONNECTIONS_KEY sealing", () => {
  test("a sealed value opens with the same key and context, and does not contain the plaintext", async () => {
    const k = await keys({ CONNECTIONS_KEY: HEX_A });
    const aad = sealContext("alice", "secret", "TOKEN");
    const sealed = await seal(k, "canary-value-123", aad);
    assert.ok(!sealed.includes("canary-value-123"));
    assert.equal(await unseal(k, sealed, aad), "canary-value-123");
  });

  test("a large value (a 1 MB token from a hostile authorization server) seals and opens", async () => {
    const k = await keys({ CONNECTIONS_KEY: HEX_A });
    const aad = sealContext("alice", "oauth", "srv");
    const big = "t".repeat(1024 * 1024);
    assert.equal(await unseal(k, await seal(k, big, aad), aad), big);
  });

  test("a blob moved to another user, purpose or name does not open", async () => {
    const k = await keys({ CONNECTIONS_KEY: HEX_A });
    const sealed = await seal(k, "v", sealContext("alice", "secret", "TOKEN"));
    for (const aad of [
      sealContext("bob", "secret", "TOKEN"),
      sealContext("alice", "header", "TOKEN"),
      sealContext("alice", "secret", "OTHER"),
    ]) {
      await assert.rejects(unseal(k, sealed, aad), /does not open/);
    }
  });

  test("after rotation, old blobs open through CONNECTIONS_KEY_PREVIOUS and new ones are sealed with the new key", async () => {
    const old = await keys({ CONNECTIONS_KEY: HEX_A });
    const aad = sealContext("alice", "secret", "T");
    const before = await seal(old, "v1", aad);
    const rotated = await keys({ CONNECTIONS_KEY: HEX_B, CONNECTIONS_KEY_PREVIOUS: HEX_A });
    assert.equal(await unseal(rotated, before, aad), "v1");
    const after = await seal(rotated, "v2", aad);
    await assert.rejects(unseal(old, after, aad), /neither CONNECTIONS_KEY/);
    const dropped = await keys({ CONNECTIONS_KEY: HEX_B });
    await assert.rejects(unseal(dropped, before, aad), /neither CONNECTIONS_KEY/);
  });

  test("a missing key says how to set it; a malformed one says what it must be", async () => {
    const missing = await loadConnectionsKeys({});
    assert.ok(!missing.ok);
    assert.match(missing.error, /set CONNECTIONS_KEY.*openssl rand -hex 32.*wrangler secret put CONNECTIONS_KEY/);
    const short = await loadConnectionsKeys({ CONNECTIONS_KEY: "abcd" });
    assert.ok(!short.ok);
    assert.match(short.error, /not 32 bytes/);
  });

  test("the missing-key message says a key put in .dev.vars takes effect after restarting npm run dev", async () => {
    const missing = await loadConnectionsKeys({});
    assert.ok(!missing.ok);
    assert.match(missing.error, /\.dev\.vars locally \(then restart npm run dev\)/);
  });

  test("hex and base64 (padded, unpadded, url-safe) spellings of 32 bytes are accepted", () => {
    const bytes = new Uint8Array(32).map((_, i) => i * 7 + 250);
    const b64 = Buffer.from(bytes).toString("base64");
    for (const spelling of [
      Buffer.from(bytes).toString("hex"),
      b64,
      b64.replace(/=$/, ""),
      Buffer.from(bytes).toString("base64url"),
    ]) {
      assert.deepEqual(parseKeyBytes(spelling), bytes, spelling);
    }
    assert.equal(parseKeyBytes(Buffer.alloc(31).toString("base64")), undefined);
  });

  test("context parts cannot be shifted into one another", () => {
    assert.notEqual(sealContext("a:b", "c", "d"), sealContext("a", "b:c", "d"));
    assert.notEqual(sealContext("a|1:b", "c", "d"), sealContext("a", "1:b|c", "d"));
  });
});
