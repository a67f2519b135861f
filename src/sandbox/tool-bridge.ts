/**
 * @module sandbox/tool-bridge
 * The only binding a sandbox isolate holds. Its props (session, execution) are set by the host and invisible to
 * the sandbox, so code cannot act for another session. Every public method of a WorkerEntrypoint is callable
 * from the sandbox: keep this surface to `call` (tools) and `host` (the `gateway` module) alone.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import type { BridgeProps, BridgeReply } from "./execution-types";

const MAX_NAME_CHARS = 512;

export class ToolBridge extends WorkerEntrypoint<Env, BridgeProps> {
  /** Forwards one tool call to the session that owns the execution; the session checks, runs and records it. */
  async call(server: unknown, tool: unknown, argsJson: unknown): Promise<BridgeReply> {
    if (
      typeof server !== "string" ||
      typeof tool !== "string" ||
      typeof argsJson !== "string" ||
      server.length > MAX_NAME_CHARS ||
      tool.length > MAX_NAME_CHARS
    ) {
      return { ok: false, status: "rejected", error: "malformed tool call: expected (server, tool, JSON arguments)" };
    }
    const { session, execution } = this.ctx.props;
    return this.env.SESSION.getByName(session).bridgeCall(execution, server, tool, argsJson);
  }

  /** Forwards one gateway operation (`state.*`, `progress`) of the `gateway` module to the owning session. */
  async host(op: unknown, argsJson: unknown): Promise<BridgeReply> {
    if (typeof op !== "string" || op.length > 64 || typeof argsJson !== "string") {
      return { ok: false, status: "rejected", error: "malformed gateway operation" };
    }
    const { session, execution } = this.ctx.props;
    return this.env.SESSION.getByName(session).bridgeHost(execution, op, argsJson);
  }
}
