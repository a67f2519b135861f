/**
 * @module sandbox/tool-bridge
 * The sandbox's only capability: a per-execution RpcTarget that lives in the session Durable Object, handed to the
 * isolate as an argument of `run()` (the isolate has no bindings). The session and execution it acts for are fixed
 * when the host creates it and are invisible to the sandbox, so code cannot act for another execution. Every public
 * method of an RpcTarget is callable from the sandbox: keep this surface to `call` (tools) and `host` (the `gateway`
 * module). Calls reach the session in one hop; the target refuses them once the execution has ended.
 *
 * It replaced a `ctx.exports` entrypoint in the isolate's env, whose `open()` traded itself for this target: the
 * round trip before every program and the entrypoint's setup cost about 2 ms per execution (bench/results.json).
 */
import { RpcTarget } from "cloudflare:workers";
import type { BridgeReply } from "./execution-types";

const MAX_NAME_CHARS = 512;

/** What the session object offers a bridge (called in-process by {@link ExecutionBridge}). */
export interface BridgeHost {
  bridgeCall(execution: string, server: string, tool: string, argsJson: string): Promise<BridgeReply>;
  bridgeHost(execution: string, op: string, argsJson: string): Promise<BridgeReply>;
}

function malformedCall(server: unknown, tool: unknown, argsJson: unknown): BridgeReply | undefined {
  if (
    typeof server !== "string" ||
    typeof tool !== "string" ||
    typeof argsJson !== "string" ||
    server.length > MAX_NAME_CHARS ||
    tool.length > MAX_NAME_CHARS
  ) {
    return { ok: false, status: "rejected", error: "malformed tool call: expected (server, tool, JSON arguments)" };
  }
  return undefined;
}

function malformedOp(op: unknown, argsJson: unknown): BridgeReply | undefined {
  if (typeof op !== "string" || op.length > 64 || typeof argsJson !== "string") {
    return { ok: false, status: "rejected", error: "malformed gateway operation" };
  }
  return undefined;
}

/** The per-execution bridge; its state is private, its surface is `call` and `host`. */
export class ExecutionBridge extends RpcTarget {
  #host: BridgeHost;
  #execution: string;

  constructor(host: BridgeHost, execution: string) {
    super();
    this.#host = host;
    this.#execution = execution;
  }

  async call(server: unknown, tool: unknown, argsJson: unknown): Promise<BridgeReply> {
    return (
      malformedCall(server, tool, argsJson) ??
      this.#host.bridgeCall(this.#execution, `${server}`, `${tool}`, `${argsJson}`)
    );
  }

  async host(op: unknown, argsJson: unknown): Promise<BridgeReply> {
    return malformedOp(op, argsJson) ?? this.#host.bridgeHost(this.#execution, `${op}`, `${argsJson}`);
  }
}
