/**
 * Starts the real gateway (wrangler's dev server: workerd with real bindings) on 127.0.0.1 and connects real MCP
 * SDK clients to it over HTTP. Each call gets its own state folder, so tests never share durable state unless
 * they pass the same `persistDir` on purpose (restart tests).
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  type StreamableHTTPClientTransportOptions,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { unstable_startWorker } from "wrangler";
import { buildOptions } from "./worker-build";

export interface Gateway {
  url: URL;
  mcpUrl: URL;
  persistDir: string;
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Replaces GATEWAY_CONFIG from wrangler.toml. */
  config?: Record<string, unknown>;
  /** Extra plain-text vars (e.g. secrets referenced by upstream headers). */
  vars?: Record<string, string>;
  /** Reuse a state folder (to test persistence across restarts). */
  persistDir?: string;
  /** Extra bindings in wrangler's format, e.g. `{ OAUTH_KV: { type: "kv_namespace", id: "oauth" } }`. */
  bindings?: Record<string, unknown>;
}

export async function startGateway(options: StartOptions & { keepState?: boolean } = {}): Promise<Gateway> {
  const keepState = options.keepState ?? false;
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "cg-state-"));
  const bindings: Record<string, { type: "json"; value: unknown } | { type: "plain_text"; value: string }> = {};
  if (options.config) bindings.GATEWAY_CONFIG = { type: "json", value: options.config };
  for (const [name, value] of Object.entries(options.vars ?? {})) bindings[name] = { type: "plain_text", value };
  Object.assign(bindings, options.bindings);
  const worker = await unstable_startWorker({
    config: "wrangler.toml",
    ...buildOptions(),
    // Only the vars a test passes: a developer's .dev.vars or .env (npm run dev writes a CONNECTIONS_KEY there)
    // must not change what a test sees. A named file that does not exist makes wrangler skip both.
    envFiles: [join(persistDir, "no-dev-vars")],
    bindings: bindings as never,
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      persist: persistDir,
      watch: false,
      logLevel: "warn",
    } as never,
  });
  await worker.ready;
  const url = new URL(await worker.url);
  // wrangler is "ready" once its proxy listens, before workerd runs the Worker (and, without the run's bundle, before
  // it is bundled): the first request waits for that (1-2 s on a loaded machine), and a dispose before then waits. One
  // request here keeps that wait out of the tests' own timings (a first execution would count it against its
  // budget) and makes every dispose take milliseconds.
  try {
    await (await fetch(new URL("/health", url), { signal: AbortSignal.timeout(120_000) })).arrayBuffer();
  } catch (err) {
    await worker.dispose();
    throw new Error(`the gateway did not answer /health: ${(err as Error).message}`);
  }
  return {
    url,
    mcpUrl: new URL("/mcp", url),
    persistDir,
    async dispose() {
      await worker.dispose();
      if (!options.persistDir && !keepState) await rm(persistDir, { recursive: true, force: true });
    },
  };
}

export interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** Calls a tool and returns the raw result. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls a tool and returns its structuredContent, failing if the call is an error. */
  data<T = any>(name: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export async function connect(
  url: URL,
  clientOptions: ConstructorParameters<typeof Client>[1] = {},
  /** e.g. `{ requestInit: { headers: { Authorization: "Bearer …" } } }` or an `authProvider`. */
  transportOptions: StreamableHTTPClientTransportOptions = {},
): Promise<Session> {
  const client = new Client({ name: "codemode-gateway-test", version: "0.0.0" }, clientOptions);
  const transport = new StreamableHTTPClientTransport(url, transportOptions);
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    client,
    transport,
    call,
    async data(name, args) {
      const r = await call(name, args);
      if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
      return r.structuredContent as any;
    },
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

/** Runs code through execute_code and returns the structured execution result. */
export async function run(session: Session, code: string, extra: Record<string, unknown> = {}): Promise<any> {
  const r = await session.call("execute_code", { code, ...extra });
  return { ...(r.structuredContent as any), isError: r.isError === true, text: (r.content[0] as any)?.text };
}

/**
 * Every tool call of an execution, from the history: a reply lists the first calls and groups the rest
 * (src/mcp/tool-call-summary.ts).
 */
export async function fullTrace(session: Session, executionId: string): Promise<any[]> {
  const calls: any[] = [];
  let offset: number | undefined = 0;
  // get_execution gives the trace a page at a time (src/mcp/execution-page.ts).
  while (offset !== undefined) {
    const page: any = await session.data("get_execution", { id: executionId, offset });
    calls.push(...page.tool_calls);
    offset = page.next_offset;
  }
  return calls;
}

/**
 * Starts a gateway and connects one session before the tests of the enclosing file or `describe` block, hands both
 * to `use`, and closes and stops them after those tests: the setup most test files share.
 */
export function withGatewaySession(
  use: (gateway: Gateway, session: Session) => void,
  options: StartOptions = {},
): void {
  let gateway: Gateway | undefined;
  let session: Session | undefined;
  before(async () => {
    gateway = await startGateway(options);
    session = await connect(gateway.mcpUrl);
    use(gateway, session);
  });
  after(async () => {
    await session?.close();
    await gateway?.dispose();
  });
}
