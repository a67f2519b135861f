/**
 * The workspace's direct tool path (callWorkspaceTool, used by a session's in-process connection) gives the same
 * results as the same server reached through a real MCP client and server (SDK v2, linked in memory), for every
 * tool, for the store's errors, and leaves refused arguments and unknown tools to the MCP path. The store is a
 * small in-memory stand-in with the real store's interface: the real one needs workerd, where test/e2e runs it.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { Env } from "../../../src/env";
import { callWorkspaceTool, createWorkspaceServer } from "../../../src/servers/workspace/server";
import type { DirectoryEntry, WorkspaceAccess } from "../../../src/servers/workspace/store";

class MemoryStore implements WorkspaceAccess {
  files = new Map<string, string>();
  async readFile(path: string) {
    const f = this.files.get(path);
    if (f === undefined) throw new Error(`file not found: ${path}`);
    return f;
  }
  async writeFile(path: string, content: string) {
    if (path.includes("..")) throw new Error(`path ${JSON.stringify(path)} uses '..', which the workspace refuses`);
    this.files.set(path, content);
    return { path, bytes: content.length };
  }
  async listDirectory(_path: string): Promise<DirectoryEntry[]> {
    return [...this.files.keys()].map((p) => ({
      name: p.slice(1),
      type: "file" as const,
      size: this.files.get(p)!.length,
    }));
  }
  async deleteFile(path: string) {
    if (!this.files.delete(path)) throw new Error(`file not found: ${path}`);
    return { path };
  }
  async searchFiles(_path: string, pattern: string) {
    return [...this.files.keys()].filter((p) => p.includes(pattern));
  }
}

describe("the workspace's direct tool path", () => {
  const store = new MemoryStore();
  let client: Client;
  before(async () => {
    const [a, b] = InMemoryTransport.createLinkedPair();
    await createWorkspaceServer({} as Env, "u", store).connect(b);
    client = new Client({ name: "t", version: "0" });
    await client.connect(a);
  });

  const both = async (name: string, args: Record<string, unknown>) => {
    const direct = await callWorkspaceTool(store, name, args);
    const viaMcp = await client.callTool({ name, arguments: args });
    return { direct: JSON.parse(JSON.stringify(direct)), viaMcp: JSON.parse(JSON.stringify(viaMcp)) };
  };

  it("gives the MCP path's results for every tool and for the store's errors", async () => {
    for (const [name, args] of [
      ["write_file", { path: "/a.txt", content: "hello" }],
      ["read_file", { path: "/a.txt" }],
      ["read_file", { path: "/missing.txt" }],
      ["write_file", { path: "/x/../y", content: "" }],
      ["list_directory", { path: "/" }],
      ["search_files", { path: "/", pattern: "a" }],
      ["search_files", { path: "/", pattern: "zzz" }],
    ] as Array<[string, Record<string, unknown>]>) {
      const { direct, viaMcp } = await both(name, args);
      assert.deepEqual(direct, viaMcp, `${name} ${JSON.stringify(args)}`);
    }
    // delete last: the MCP call then finds nothing to delete, as a second delete would.
    const first = await callWorkspaceTool(store, "delete_file", { path: "/a.txt" });
    assert.deepEqual(first?.structuredContent, { path: "/a.txt" });
    const { direct, viaMcp } = await both("delete_file", { path: "/a.txt" });
    assert.equal(direct.isError, true);
    assert.deepEqual(direct, viaMcp);
  });

  it("leaves arguments its schema refuses, and unknown tools, to the MCP path", () => {
    assert.equal(callWorkspaceTool(store, "read_file", { path: 5 }), undefined);
    assert.equal(callWorkspaceTool(store, "read_file", {}), undefined);
    assert.equal(callWorkspaceTool(store, "format_disk", {}), undefined);
    assert.equal(callWorkspaceTool(store, "constructor", {}), undefined);
  });

  it("reports structured content that breaks the tool's output schema as an error result", async () => {
    const broken = new MemoryStore();
    broken.writeFile = async () => ({ path: "/a", bytes: "many" as unknown as number });
    const r = await callWorkspaceTool(broken, "write_file", { path: "/a", content: "x" });
    assert.equal(r?.isError, true);
    assert.match(JSON.stringify(r?.content), /does not match its output schema/);
  });
});
