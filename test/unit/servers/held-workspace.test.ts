/**
 * HeldWorkspace's handling of its handle. A real WorkspaceStore cannot be made to drop its connections on demand
 * here, so the namespace is a scripted stand-in that hands out handles and can break them; the handle's happy path
 * runs against the real store in test/e2e (tools.test.ts, session.test.ts) and in the bench.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Env } from "../../../src/env";
import { HeldWorkspace } from "../../../src/servers/workspace/held-workspace";

/** A fault thrown inside the store (not one of its refusals, which are answers): Workers RPC marks it `remote`. */
class Remote extends Error {
  remote = true;
}

const ok = <T>(value: T) => ({ ok: true as const, value });

function standIn() {
  const files = new Map<string, string>();
  const state = { opened: 0, disposed: 0, breakNext: 0, calls: [] as string[], slow: { ms: 0 } };
  const open = () => {
    const id = ++state.opened;
    const fail = (what: string) => {
      state.calls.push(`${what}@${id}`);
      if (state.breakNext > 0) {
        state.breakNext--;
        throw new Error("Network connection lost.");
      }
    };
    // Like workerd's RPC promise for the handle: a promise that calls can be pipelined on.
    const handle = {
      async readFile(path: string) {
        fail("read");
        if (path === "/fault") throw new Remote("SQLITE_FULL");
        if (!files.has(path)) return { ok: false as const, error: `file not found: ${path}` };
        return ok(files.get(path)!);
      },
      async writeFile(path: string, content: string) {
        fail("write");
        files.set(path, content);
        return ok({ path, bytes: content.length });
      },
      async listDirectory() {
        fail("list");
        if (state.slow.ms) await new Promise((resolve) => setTimeout(resolve, state.slow.ms));
        return ok([]);
      },
      async deleteFile(path: string) {
        fail("delete");
        files.delete(path);
        return ok({ path });
      },
      async searchFiles() {
        fail("search");
        return ok([]);
      },
      [Symbol.dispose]() {
        state.disposed++;
      },
    };
    return Object.assign(Promise.resolve(), handle);
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

  it("throws the store's refusals as WorkspaceErrors without opening a new handle", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    await assert.rejects(w.readFile("/missing"), { name: "WorkspaceError", message: "file not found: /missing" });
    assert.equal(state.opened, 1);
    assert.deepEqual(state.calls, ["read@1"]);
  });

  it("passes a fault thrown in the store through, without retrying or giving up the handle", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    await assert.rejects(w.readFile("/fault"), /SQLITE_FULL/);
    assert.deepEqual(state.calls, ["read@1"]);
    assert.equal(state.disposed, 0);
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

  it("a call failing on a handle already replaced gives up only its own handle, not the new one", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    await w.writeFile("/a", "1");
    // Both reads in flight on handle 1 find it broken: the first opens handle 2, the second must reuse it.
    state.breakNext = 2;
    assert.deepEqual(await Promise.all([w.readFile("/a"), w.readFile("/a")]), ["1", "1"]);
    assert.equal(state.opened, 2);
    assert.equal(state.disposed, 1);
  });

  it("keeps the handle while a call is still running past the idle time", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 30);
    const slow = state.slow;
    slow.ms = 80;
    const read = w.listDirectory("/");
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(state.disposed, 0, "released under a running call");
    await read;
    await new Promise((resolve) => setTimeout(resolve, 70));
    assert.equal(state.disposed, 1);
  });

  it("an open that fails leaves no unhandled rejection, and the next call opens again", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      let opened = 0;
      // Like workerd's RPC promise: a promise for the handle that calls can be pipelined on.
      const open = () => {
        opened++;
        const failed = opened === 1;
        const handle = failed ? Promise.reject(new Error("Network connection lost.")) : Promise.resolve({});
        return Object.assign(handle, {
          async listDirectory() {
            if (failed) throw new Error("Network connection lost.");
            return ok([]);
          },
        });
      };
      const env = { WORKSPACE: { getByName: () => ({ open }) } } as unknown as Env;
      const w = new HeldWorkspace(env, "u", 200);
      assert.deepEqual(await w.listDirectory("/"), []);
      assert.equal(opened, 2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(unhandled, []);
      w.close();
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("close releases the handle and stops the idle timer", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 10_000);
    await w.writeFile("/a", "1");
    w.close();
    assert.equal(state.disposed, 1);
    // The next call (a connection reused after close) opens a new handle.
    assert.equal(await w.readFile("/a"), "1");
    assert.equal(state.opened, 2);
    w.close();
  });

  it("gives up the new handle too when the read sent again on it fails, so the next write does not meet it", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 200);
    state.breakNext = 2;
    await assert.rejects(w.readFile("/a"), /Network connection lost/);
    await w.writeFile("/a", "1");
    assert.deepEqual(state.calls, ["read@1", "read@2", "write@3"]);
    assert.equal(state.disposed, 2);
    w.close();
  });

  it("close under a running call releases the handle when the call ends, so the call is not cut off", async () => {
    const { env, state } = standIn();
    const w = new HeldWorkspace(env, "u", 10_000);
    state.slow.ms = 40;
    const read = w.listDirectory("/");
    w.close();
    assert.equal(state.disposed, 0, "released under a running call");
    assert.deepEqual(await read, []);
    assert.equal(state.disposed, 1);
  });

  it("runs no idle timer while a call that never answers is in flight", async () => {
    const { env } = standIn();
    let opened = 0;
    const hanging = {
      open: () => {
        opened++;
        return Object.assign(Promise.resolve(), { listDirectory: () => new Promise<never>(() => {}) });
      },
    };
    (env as unknown as { WORKSPACE: unknown }).WORKSPACE = { getByName: () => hanging };
    const timers: unknown[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const w = new HeldWorkspace(env, "u", 10);
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      timers.push(ms);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout;
    try {
      void w.listDirectory("/");
      await new Promise((resolve) => realSetTimeout(resolve, 80));
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    assert.equal(opened, 1);
    // The first call's timer, and none after it: a hung call does not keep a timer going every idle period.
    assert.ok(timers.length <= 1, `${timers.length} timers`);
    w.close();
  });
});
