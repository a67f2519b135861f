/**
 * @module sandbox/tool-bridge
 * The only binding a sandbox isolate holds. Its props (session, execution) are set by the host and invisible to
 * the sandbox, so code cannot act for another session. Every public method of a WorkerEntrypoint is callable
 * from the sandbox: keep this surface to `call` (tools), `host` (the `gateway` module) and `open`.
 *
 * `open` trades the entrypoint for a per-execution RpcTarget that lives in the session Durable Object: each later
 * call then goes from the sandbox straight to the session (one hop) instead of sandbox -> entrypoint -> session,
 * measured at about 1 ms less per tool call. The target is derived from this binding's props, so it is exactly as
 * unforgeable, and it refuses calls once the execution has ended.
 */
import { RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import type { BridgeProps, BridgeReply } from "./execution-types";

const MAX_NAME_CHARS = 512;

/** What the session object offers a bridge (its RPC methods, also called in-process by {@link ExecutionBridge}). */
interface BridgeHost {
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

/** The per-execution bridge handed out by `open`; its state is private, its surface is `call` and `host`. */
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

/** Anything whose Durable Objects can serve a bridge (the session object; the bench's stand-in). */
type BridgeNamespace = DurableObjectNamespace<
  BridgeHost & Rpc.DurableObjectBranded & { openBridge(execution: string): Promise<ExecutionBridge> }
>;

/**
 * The bridge entrypoint class for the Durable Objects of `namespace`. A factory so that the one implementation
 * serves the gateway (ToolBridge -> SESSION) and the benchmark worker, which measures this exact code path.
 */
export function bridgeEntrypoint<E>(namespace: (env: E) => BridgeNamespace) {
  return class extends WorkerEntrypoint<E, BridgeProps> {
    /** Forwards one tool call to the session that owns the execution; the session checks, runs and records it. */
    async call(server: unknown, tool: unknown, argsJson: unknown): Promise<BridgeReply> {
      const { session, execution } = this.ctx.props;
      return (
        malformedCall(server, tool, argsJson) ??
        namespace(this.env).getByName(session).bridgeCall(execution, `${server}`, `${tool}`, `${argsJson}`)
      );
    }

    /** Forwards one gateway operation (`state.*`) or notification batch (`notify`) of the sandbox to the session. */
    async host(op: unknown, argsJson: unknown): Promise<BridgeReply> {
      const { session, execution } = this.ctx.props;
      return (
        malformedOp(op, argsJson) ??
        namespace(this.env).getByName(session).bridgeHost(execution, `${op}`, `${argsJson}`)
      );
    }

    /** The execution's direct bridge in its session (see the module comment). */
    async open() {
      const { session, execution } = this.ctx.props;
      return namespace(this.env).getByName(session).openBridge(execution);
    }
  };
}

/** The sandbox's only binding, bound to the session Durable Objects. */
export class ToolBridge extends bridgeEntrypoint<Env>((env) => env.SESSION as unknown as BridgeNamespace) {}
