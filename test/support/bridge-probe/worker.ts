/**
 * Serves the gateway's real ToolBridge to a Worker Loader isolate that runs the probe code POSTed to it, exactly as
 * the executor does (env holds only BRIDGE, no network). SESSION is a stand-in that echoes what the bridge forwarded,
 * so a test can see that the session and execution come from the host's props, never from the sandbox.
 */
import { DurableObject } from "cloudflare:workers";

export { ToolBridge } from "../../../src/sandbox/tool-bridge";

const PROBE_PROPS = { session: "probe-user:probe-session", execution: "exe_probe" };

export class SessionObject extends DurableObject {
  async bridgeCall(execution: string, server: string, tool: string, argsJson: string) {
    return { ok: true, value: JSON.stringify({ via: "bridgeCall", execution, server, tool, argsJson }) };
  }

  async bridgeHost(execution: string, op: string, argsJson: string) {
    return { ok: true, value: JSON.stringify({ via: "bridgeHost", execution, op, argsJson }) };
  }
}

export default {
  async fetch(request: Request, _env: unknown, ctx: ExecutionContext): Promise<Response> {
    const env = _env as { LOADER: WorkerLoader };
    const body = await request.text();
    const worker = env.LOADER.load({
      compatibilityDate: "2026-11-01",
      mainModule: "probe.js",
      modules: {
        "probe.js": `export default { async fetch(request, env) {
  const result = await (async () => { ${body} })();
  return Response.json(result);
} };`,
      },
      env: { BRIDGE: (ctx as unknown as { exports: any }).exports.ToolBridge({ props: PROBE_PROPS }) },
      globalOutbound: null,
    });
    return worker.getEntrypoint().fetch(new Request("http://probe/"));
  },
};
