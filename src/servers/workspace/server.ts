/**
 * @module servers/workspace/server
 * The built-in `workspace` MCP server: five filesystem tools with the argument names of
 * `@modelcontextprotocol/server-filesystem`, over the user's {@link WorkspaceStore}. Served statelessly (one
 * transport per request): it keeps no per-connection state, so it scales like any plain Worker route.
 */
import { type CallToolResult, createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import { z } from "zod";
import type { Env } from "../../env";
import { RAW_TEXT_META } from "../../registry/tool-result";
import type { WorkspaceAccess } from "./store";

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, openWorldHint: false } as const;

function ok(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text }], ...(structured ? { structuredContent: structured } : {}) };
}

async function guarded(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (err) {
    return { content: [{ type: "text", text: (err as Error).message }], isError: true };
  }
}

/**
 * Builds the MCP server for one user's workspace. `access`: how it reaches the store; by default a call on the
 * namespace's stub each time (right for the public route, whose server lives for one request), or a
 * HeldWorkspace (held-workspace.ts) for a session's long-lived in-process connection.
 */
export function createWorkspaceServer(env: Env, user: string, access?: WorkspaceAccess): McpServer {
  const store = (): WorkspaceAccess => access ?? env.WORKSPACE.getByName(user);
  const server = new McpServer(
    { name: "workspace", version: "1.0.0" },
    {
      instructions: "A small virtual filesystem that persists per user. Paths look like /dir/file.txt.",
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  );

  server.registerTool(
    "read_file",
    {
      description: "Read the complete contents of a file as text.",
      inputSchema: z.object({ path: z.string().describe("Path of the file, e.g. /notes/todo.md") }),
      annotations: { title: "Read file", ...READ_ONLY },
    },
    ({ path }) =>
      guarded(async () => {
        const text = await store().readFile(path);
        // The text is the result even when it happens to be JSON: tell the gateway not to parse it.
        return { content: [{ type: "text", text }], _meta: { [RAW_TEXT_META]: true } };
      }),
  );

  server.registerTool(
    "write_file",
    {
      description: "Create a new file or overwrite an existing file with the given text content.",
      inputSchema: z.object({
        path: z.string().describe("Path of the file to write"),
        content: z.string().describe("The full new text content of the file"),
      }),
      outputSchema: z.object({ path: z.string(), bytes: z.number() }),
      annotations: { title: "Write file", readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    ({ path, content }) =>
      guarded(async () => {
        const r = await store().writeFile(path, content);
        return ok(`Wrote ${r.bytes} bytes to ${r.path}`, { path: r.path, bytes: r.bytes });
      }),
  );

  server.registerTool(
    "list_directory",
    {
      description: "List the files and subdirectories directly inside a directory.",
      inputSchema: z.object({ path: z.string().describe("Directory path; / is the root") }),
      outputSchema: z.object({
        path: z.string(),
        entries: z.array(
          z.object({ name: z.string(), type: z.enum(["file", "directory"]), size: z.number().optional() }),
        ),
      }),
      annotations: { title: "List directory", ...READ_ONLY },
    },
    ({ path }) =>
      guarded(async () => {
        const entries = await store().listDirectory(path);
        const text = entries.map((e) => `${e.type === "file" ? "[FILE]" : "[DIR]"} ${e.name}`).join("\n");
        return ok(text || "(empty)", { path, entries });
      }),
  );

  server.registerTool(
    "delete_file",
    {
      description: "Delete a file.",
      inputSchema: z.object({ path: z.string().describe("Path of the file to delete") }),
      outputSchema: z.object({ path: z.string() }),
      annotations: { title: "Delete file", readOnlyHint: false, destructiveHint: true, idempotentHint: true },
    },
    ({ path }) =>
      guarded(async () => {
        const r = await store().deleteFile(path);
        return ok(`Deleted ${r.path}`, { path: r.path });
      }),
  );

  server.registerTool(
    "search_files",
    {
      description:
        "Find files under a directory whose path matches a pattern: a glob such as **/*.md or *.txt, " +
        "or a plain text fragment matched case-insensitively.",
      inputSchema: z.object({
        path: z.string().describe("Directory to search from; / is the root"),
        pattern: z.string().describe("Glob (*, **, ?) or a plain fragment of the file name"),
      }),
      outputSchema: z.object({ matches: z.array(z.string()) }),
      annotations: { title: "Search files", ...READ_ONLY },
    },
    ({ path, pattern }) =>
      guarded(async () => {
        const matches = await store().searchFiles(path, pattern);
        return ok(matches.join("\n") || "No matches found", { matches });
      }),
  );

  return server;
}

/**
 * Serves one MCP request for `user`'s workspace: 2026-07-28 statelessly (the gateway's upstream client speaks it),
 * 2025-11-25 statelessly too (exposed built-in routes serve older clients). A fresh server per request.
 */
export function handleWorkspaceRequest(request: Request, env: Env, user: string): Promise<Response> {
  return createMcpHandler(() => createWorkspaceServer(env, user), { legacy: "stateless", responseMode: "json" }).fetch(
    request,
  );
}
