/**
 * Hands the gateway's real ExecutionBridge to a Worker Loader isolate that runs the probe code POSTed to it, exactly
 * as the executor does (an argument of the entrypoint's method, an empty env, no network). Its host is a stand-in
 * that echoes what the bridge forwarded, so a test can see that the execution comes from the host, never from the
 * sandbox.
 */
import { ExecutionBridge } from "../../../src/sandbox/tool-bridge";

const PROBE_EXECUTION = "exe_probe";

const host = {
  async bridgeCall(execution: string, server: string, tool: string, argsJson: string) {
    return { ok: true as const, value: JSON.stringify({ via: "bridgeCall", execution, server, tool, argsJson }) };
  },
  async bridgeHost(execution: string, op: string, argsJson: string) {
    return { ok: true as const, value: JSON.stringify({ via: "bridgeHost", execution, op, argsJson }) };
  },
};

export default {
  async fetch(request: Request, _env: unknown): Promise<Response> {
    const env = _env as { LOADER: WorkerLoader };
    const body = await request.text();
    const worker = env.LOADER.load({
      compatibilityDate: "2026-11-01",
      compatibilityFlags: ["no_nodejs_compat"],
      mainModule: "probe.js",
      modules: {
        "probe.js": `import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async probe(bridge) {
    const env = this.env;
    return JSON.stringify(await (async () => { ${body} })());
  }
}`,
      },
      env: {},
      globalOutbound: null,
    });
    const entry = worker.getEntrypoint() as unknown as { probe(bridge: ExecutionBridge): Promise<string> };
    return new Response(await entry.probe(new ExecutionBridge(host, PROBE_EXECUTION)), {
      headers: { "content-type": "application/json" },
    });
  },
};
