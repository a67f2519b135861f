/** JSON Schema as upstreams send it: untrusted, possibly malformed, possibly cyclic through `$ref`. */
export type JsonSchema = { [key: string]: unknown } | boolean;

/** MCP tool annotations (hints, untrusted: they only choose defaults). */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** A tool exactly as an upstream listed it in `tools/list`. */
export interface UpstreamTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
}

/** A tool in the gateway's catalog: the upstream's definition plus the names the sandbox sees. */
export interface CatalogTool {
  /** Server name as configured (kept for display and for routing). */
  server: string;
  /** Sanitized identifier of the server: code imports `servers/<serverId>`. */
  serverId: string;
  /** Tool name as the upstream sent it: used verbatim for the upstream `tools/call`. */
  name: string;
  /** Sanitized, collision-free export name inside `servers/<serverId>`. */
  id: string;
  /** Cleaned description (full length). */
  description: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: ToolAnnotations;
  /** Examples of input arguments (from `input_examples` / `examples`), when the upstream gave any. */
  examples?: unknown[];
  /** Hash of the upstream definition, for change detection. */
  hash: string;
  /** Hash of the definition when the gateway first saw this tool (kept durably across sessions and restarts). */
  firstSeenHash?: string;
  /** The definition differs from the one first seen (a possible silent "rug pull"). */
  changed?: boolean;
  /** Left out of `list_tool_names` unless asked for (`defer_loading`); still searchable and callable. */
  deferred?: boolean;
  /** The upstream runs it only as an MCP task, which the gateway cannot do: listed, marked, never called. */
  needsTasks?: true;
}
