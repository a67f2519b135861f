/**
 * HeldWorkspace's handling of its handle. A real WorkspaceStore cannot be made to drop its connections on demand
 * here, so the namespace is a scripted stand-in that hands out handles and can break them; the handle's happy path
 * runs against the real store in test/e2e (tools.test.ts, session.test.ts) and in the bench.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Env } from "../../../src/env";
import { HeldWorkspace } from "../../../src/servers/workspace/held-workspace";

class Remote extends Error {
  remote = true;
}

function standIn() {
  const files = new Map<string, string>();
  const state = { opened: 0, disposed: 0, breakNext: 0, calls: [] as string[] };
  const open = () => {
    const id = ++state.opened;
    const fail = (what: string) => {
      state.calls.push(`${what}@${id}`);
      if (state.breakNext > 0) {
        state.breakNext--;
        throw new Error("Network connection lost.");
      }
    };
    return {
      async readFile(path: string) {
        fail("read");
        if (!files.has(path)) throw new Remote(`file not found: ${path}`);
        return files.get(path)!;
      },
      async writeFile(path: string, content: string) {
        fail("write");
        files.set(path, content);
        return { path, bytes: content.length };
      },
      async listDirectory() {
        fail("list");
        return [];
      },
      async deleteFile(path: string) {
        fail("delete");
        files.delete(path);
        return { path };
      },
      async searchFiles() {
        fail("search");
        return [];
      },
      [Symbol.dispose]() {
        state.disposed++;
      },
    };
  };
  const env = { WORKSPACE: { getByName: () => ({ open }) } } as unknown as Env;
  return { env, state };
}

describe("HeldWorkspace", () => {
  it("opens one handle and keeps it for every call", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    await w.writeFile("/a", "1");
    assert.equal(await w.readFile("/a"), "1");
    await w.listDirectory("/");
    assert.equal(state.opened, 1);
  });

  it("passes the store's own errors through without opening a new handle", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    await assert.rejects(w.readFile("/missing"), /file not found: \/missing/);
    assert.equal(state.opened, 1);
    assert.deepEqual(state.calls, ["read@1"]);
  });

  it("sends a read once more on a new handle when the connection broke", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    await w.writeFile("/a", "1");
    state.breakNext = 1;
    assert.equal(await w.readFile("/a"), "1");
    assert.deepEqual(state.calls, ["write@1", "read@1", "read@2"]);
    assert.equal(state.disposed, 1);
  });

  it("does not send a write again when the connection broke, and says it may have happened", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    state.breakNext = 1;
    await assert.rejects(w.writeFile("/a", "1"), /may or may not have been applied: Network connection lost/);
    assert.deepEqual(state.calls, ["write@1"]);
    // The next call opens a new handle.
    await w.writeFile("/a", "2");
    assert.deepEqual(state.calls, ["write@1", "write@2"]);
  });

  it("releases the handle when no call came for the idle time, and opens a new one for the next call", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 40);
    await w.writeFile("/a", "1");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await w.readFile("/a");
    await new Promise((resolve) => setTimeout(resolve, 25));
    // 45 ms after the first call but 25 ms after the last: still held.
    assert.equal(state.disposed, 0);
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(state.disposed, 1);
    assert.equal(await w.readFile("/a"), "1");
    assert.equal(state.opened, 2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(state.disposed, 2);
  });
});
