/**
 * @module servers/workspace/server
 * The built-in `workspace` MCP server: five filesystem tools with the argument names of
 * `@modelcontextprotocol/server-filesystem`, over the user's {@link WorkspaceStore}. Two ways in: the public route
 * serves it statelessly (a server per request, no per-connection state), and a session's in-process connection
 * (src/registry/builtin-connection.ts) keeps one server and calls its tools directly ({@link callWorkspaceTool}).
 */
import { type CallToolResult, createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/server/validators/cf-worker";
import { z } from "zod";
import type { Env } from "../../env";
import { RAW_TEXT_META } from "../../registry/tool-result";
import type { WorkspaceAccess } from "./store";
import { type WorkspaceRemote, workspaceAccess } from "./store-answer";

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

/** One workspace tool: its MCP definition and what it does with the user's store. */
interface WorkspaceTool {
  name: string;
  config: {
    description: string;
    inputSchema: z.ZodObject;
    outputSchema?: z.ZodObject;
    annotations: Record<string, unknown>;
  };
  run(store: WorkspaceAccess, args: Record<string, string>): Promise<CallToolResult>;
}

const TOOLS: WorkspaceTool[] = [
  {
    name: "read_file",
    config: {
      description: "Read the complete contents of a file as text.",
      inputSchema: z.object({ path: z.string().describe("Path of the file, e.g. /notes/todo.md") }),
      annotations: { title: "Read file", ...READ_ONLY },
    },
    async run(store, { path }) {
      const text = await store.readFile(path!);
      // The text is the result even when it happens to be JSON: tell the gateway not to parse it.
      return { content: [{ type: "text", text }], _meta: { [RAW_TEXT_META]: true } };
    },
  },
  {
    name: "write_file",
    config: {
      description: "Create a new file or overwrite an existing file with the given text content.",
      inputSchema: z.object({
        path: z.string().describe("Path of the file to write"),
        content: z.string().describe("The full new text content of the file"),
      }),
      outputSchema: z.object({ path: z.string(), bytes: z.number() }),
      annotations: { title: "Write file", readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    async run(store, { path, content }) {
      const r = await store.writeFile(path!, content!);
      return ok(`Wrote ${r.bytes} bytes to ${r.path}`, { path: r.path, bytes: r.bytes });
    },
  },
  {
    name: "list_directory",
    config: {
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
    async run(store, { path }) {
      const entries = await store.listDirectory(path!);
      const text = entries.map((e) => `${e.type === "file" ? "[FILE]" : "[DIR]"} ${e.name}`).join("\n");
      return ok(text || "(empty)", { path, entries });
    },
  },
  {
    name: "delete_file",
    config: {
      description: "Delete a file.",
      inputSchema: z.object({ path: z.string().describe("Path of the file to delete") }),
      outputSchema: z.object({ path: z.string() }),
      annotations: { title: "Delete file", readOnlyHint: false, destructiveHint: true, idempotentHint: true },
    },
    async run(store, { path }) {
      const r = await store.deleteFile(path!);
      return ok(`Deleted ${r.path}`, { path: r.path });
    },
  },
  {
    name: "search_files",
    config: {
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
    async run(store, { path, pattern }) {
      const matches = await store.searchFiles(path!, pattern!);
      return ok(matches.join("\n") || "No matches found", { matches });
    },
  },
];

/** The tools by name (a Map: names come from callers). */
const TOOLS_BY_NAME = new Map(TOOLS.map((t) => [t.name, t]));

/**
 * Builds the MCP server for one user's workspace. `access`: how it reaches the store; by default a call on the
 * namespace's stub each time (right for the public route, whose server lives for one request), or a
 * HeldWorkspace (held-workspace.ts) for a session's long-lived in-process connection.
 */
export function createWorkspaceServer(env: Env, user: string, access?: WorkspaceAccess): McpServer {
  const store = (): WorkspaceAccess =>
    access ?? workspaceAccess(env.WORKSPACE.getByName(user) as unknown as WorkspaceRemote);
  const server = new McpServer(
    { name: "workspace", version: "1.0.0" },
    {
      instructions: "A small virtual filesystem that persists per user. Paths look like /dir/file.txt.",
      jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
    },
  );
  for (const tool of TOOLS) {
    server.registerTool(tool.name, tool.config, ((args: Record<string, string>) =>
      guarded(() => tool.run(store(), args))) as never);
  }
  return server;
}

/**
 * Calls a workspace tool directly, as the session's in-process connection does (src/registry/builtin-connection.ts):
 * the same input and output schemas, handler and error results as through the MCP server, without a JSON-RPC round
 * trip through client and server (about 0.2 ms per call). Arguments the input schema refuses, and unknown tools, are
 * left to the MCP path (undefined), so their errors are exactly the SDK's.
 */
export function callWorkspaceTool(
  access: WorkspaceAccess,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> | undefined {
  const tool = TOOLS_BY_NAME.get(name);
  const input = tool?.config.inputSchema.safeParse(args);
  if (!tool || !input?.success) return undefined;
  return guarded(async () => {
    const result = await tool.run(access, input.data as Record<string, string>);
    const output = tool.config.outputSchema;
    if (output && !result.isError && !output.safeParse(result.structuredContent).success) {
      return {
        content: [{ type: "text", text: `${name} returned structured content that does not match its output schema` }],
        isError: true,
      };
    }
    return result;
  });
}

/**
 * Serves one MCP request for `user`'s workspace over HTTP (the exposed built-in routes): 2026-07-28 and 2025-11-25,
 * both statelessly, with a fresh server per request. The gateway's own registry reaches it in-process instead
 * (src/registry/builtin-connection.ts), in 2025-11-25.
 */
export function handleWorkspaceRequest(request: Request, env: Env, user: string): Promise<Response> {
  return createMcpHandler(() => createWorkspaceServer(env, user), { legacy: "stateless", responseMode: "json" }).fetch(
    request,
  );
}
