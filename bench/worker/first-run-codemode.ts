/**
 * @module bench/worker/first-run-codemode
 * The first-run corpus through `@cloudflare/codemode`'s DynamicWorkerExecutor (the baseline of
 * `npm run bench:first-run`), against the same upstreams as the gateway: the built-in workspace and
 * server-everything, connected with the gateway's own upstream connections. Each server is a codemode provider
 * (`workspace.read_file(...)`), wired as bench/worker/bench-session.ts wires the echo tool: host functions that
 * call the tool, with results mapped as the gateway maps them, so both executors see the same values. Each host
 * function counts its calls (also those arriving shortly after the program ended), which tells whether a program
 * was stopped before any tool call ran.
 */
import { DynamicWorkerExecutor } from "@cloudflare/codemode";
import { GatewayConfigSchema } from "../../src/config";
import { connectUpstream } from "../../src/registry/connect";
import { toToolOutcome } from "../../src/registry/tool-result";
import type { UpstreamConnection } from "../../src/registry/upstream";

/** How long to wait after a program ends for tool calls it started without awaiting them. */
const SETTLE_MS = 200;

/** One program's outcome under codemode: its result or error, and how many tool calls reached an upstream. */
export interface CodemodeRun {
  ok: boolean;
  result?: unknown;
  error?: string;
  tool_calls: number;
  ms: number;
}

/** Runs `programs` (codemode's form, see bench/first-run/codemode-source.ts) one after another, in order. */
export async function runCorpusThroughCodemode(
  deps: { env: Record<string, unknown>; exports: unknown; loader: WorkerLoader },
  everythingUrl: string,
  programs: string[],
): Promise<CodemodeRun[]> {
  const gateway = GatewayConfigSchema.parse({
    network: { allow_loopback: true },
    servers: [
      { name: "workspace", url: "builtin:workspace" },
      { name: "everything", url: everythingUrl },
    ],
  });
  const timeout = gateway.limits.execution_timeout_ms;
  const executor = new DynamicWorkerExecutor({ loader: deps.loader, timeout });
  const connections: UpstreamConnection[] = [];
  try {
    const servers: Array<{ name: string; conn: UpstreamConnection; tools: string[] }> = [];
    for (const server of gateway.servers) {
      const conn = connectUpstream(server, { ...deps, user: "bench-first-run", gateway });
      connections.push(conn);
      servers.push({ name: server.name, conn, tools: (await conn.listTools()).map((t) => t.name) });
    }
    const runs: CodemodeRun[] = [];
    for (const code of programs) {
      // Host functions per program, so a call still in flight when a program ends is never counted for the next.
      const count = { calls: 0 };
      const providers = servers.map(({ name, conn, tools }) => {
        const fns: Record<string, (...args: unknown[]) => Promise<unknown>> = Object.create(null);
        for (const tool of tools) {
          fns[tool] = async (args: unknown) => {
            count.calls++;
            const outcome = toToolOutcome(await conn.callTool(tool, args as Record<string, unknown>, timeout));
            if (!outcome.ok) throw new Error(outcome.message);
            return outcome.value;
          };
        }
        return { name, fns };
      });
      const started = Date.now();
      const r = await executor.execute(code, providers);
      const ms = Date.now() - started;
      // A call the program started but did not await may reach the host after the program ends: it still ran.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      runs.push(
        r.error === undefined
          ? { ok: true, result: r.result, tool_calls: count.calls, ms }
          : { ok: false, error: r.error, tool_calls: count.calls, ms },
      );
    }
    return runs;
  } finally {
    await Promise.allSettled(connections.map((c) => c.close()));
  }
}
