import assert from "node:assert/strict";
import { test } from "node:test";
import type { GatewayConfig } from "../../../src/config";
import type { Registry } from "../../../src/registry/registry";
import { UserServerSync } from "../../../src/session/user-server-sync";
import type { UserApi } from "../../../src/user/user-api";

/** A user object whose server "docs" failed its last check at `failedUrl`; records what listings it is told of. */
function fakeUser(failedUrl: string) {
  const recorded: Array<[string, string]> = [];
  const user = {
    serversVersion: async () => 1,
    sessionServers: async () => ({
      version: 1,
      servers: [{ name: "docs", url: failedUrl, auth: { type: "none", status: "connected" }, check_failed: true }],
    }),
    recordServerListing: async (name: string, url: string) => {
      recorded.push([name, url]);
    },
  };
  return { user: user as unknown as UserApi, recorded };
}

const registry = { setUserServers() {}, waitingForSignIn: () => false } as unknown as Registry;
const config = { user_servers: { enabled: true } } as GatewayConfig;

test("a listing clears a failed check only for the URL that failed: a stale listing of the old URL clears nothing", async () => {
  const { user, recorded } = fakeUser("https://new.example/mcp");
  const sync = new UserServerSync(() => user, config);
  await sync.sync(registry, true);
  // A listing that began before the server moved to the new URL ends now: the new URL's failed check stands.
  await sync.listed("docs", "https://old.example/mcp");
  assert.deepEqual(recorded, []);
  await sync.listed("docs", "https://new.example/mcp");
  assert.deepEqual(recorded, [["docs", "https://new.example/mcp"]]);
  // Once recorded, it is not recorded again.
  await sync.listed("docs", "https://new.example/mcp");
  assert.equal(recorded.length, 1);
});
