/**
 * @module registry/connect
 * Opens the connection for a configured upstream. External servers use the network through the SSRF guard
 * ({@link guardedFetch}: every URL and redirect hop checked against `network` in GATEWAY_CONFIG) and a circuit
 * breaker; built-in ones (`builtin:<name>`) are served in-process by {@link BuiltinConnection}, with the same MCP
 * semantics and no network or HTTP hop. Every message a network upstream sends (a JSON body, one event of an event
 * stream) is bounded by {@link UPSTREAM_MESSAGE_MAX_BYTES}: a huge answer is refused as that server's failure
 * before the session buffers it.
 */
import type { CallToolResult } from "@modelcontextprotocol/client";
import { BUILTIN_URL_PREFIX, type GatewayConfig, type ServerConfig } from "../config";
import { type MessageCappedFetch, messageCappedFetch, UPSTREAM_MESSAGE_MAX_BYTES } from "../shared/capped-fetch";
import { BuiltinConnection } from "./builtin-connection";
import { CircuitBreaker } from "./circuit-breaker";
import { guardedFetch, UrlRefusedError } from "./guarded-fetch";
import { OwnedTable } from "./owned-table";
import type { UpstreamTool } from "./registry-types";
import { serverKey } from "./server-key";
import { UpstreamConnection, type UpstreamDeps } from "./upstream";
import { clarifyUpstreamError, isLostSession, isRefusedHandshake } from "./upstream-errors";

/** Circuits kept per isolate (one per user and upstream), and per user: beyond these, some are forgotten. */
const MAX_CIRCUITS = 10_000;
const MAX_CIRCUITS_PER_USER = 1_000;

/**
 * Circuits outlive connections (the registry drops a connection after a failed listing) and are shared by the
 * sessions of one user in this isolate, so a dead upstream is cut off for all of them at once. Keyed per user:
 * one user's failing calls never cut an upstream off for another; and bounded per user (src/registry/owned-table.ts):
 * a user whose servers come and go forgets (resets) its own circuits, never another user's.
 */
const circuits = new OwnedTable<CircuitBreaker>({
  maxEntries: MAX_CIRCUITS,
  maxPerOwner: MAX_CIRCUITS_PER_USER,
  idle: (circuit) => circuit.idle(),
});

/** The circuit of `user`'s connections to `config` in this isolate. */
export function circuitFor(user: string, config: ServerConfig, limits: GatewayConfig["limits"]): CircuitBreaker {
  return circuits.get(
    user,
    serverKey(user, config.name, config.url),
    () =>
      new CircuitBreaker(`upstream ${config.name}`, {
        failureThreshold: limits.circuit_breaker_failures,
        cooldownMs: limits.circuit_breaker_cooldown_ms,
      }),
  );
}

/**
 * A connection to an upstream over the network: behind its circuit breaker, and re-established once when the
 * upstream has lost the session (servers restart and forget sessions; the MCP spec says to initialize again).
 * No message it receives may pass {@link UPSTREAM_MESSAGE_MAX_BYTES}; one that does fails its request as a fault
 * of this upstream (counted by the circuit).
 */
export class NetworkUpstream extends UpstreamConnection {
  /** This upstream's circuit (shown by `list_servers`). */
  readonly circuit: CircuitBreaker;
  /** Bumped on each reconnect, so calls that fail together reconnect once, not once each. */
  #generation = 0;

  /** Where a refused credential is fixed, for the error message. */
  readonly #credentialsHint: string | undefined;
  /** The per-message bound on `deps.fetch`, and the recogniser of what it refused. */
  readonly #capped: MessageCappedFetch;

  constructor(config: ServerConfig, deps: UpstreamDeps, circuit: CircuitBreaker, credentialsHint?: string) {
    const capped = messageCappedFetch(deps.fetch, UPSTREAM_MESSAGE_MAX_BYTES, config.name);
    super(config, { ...deps, fetch: capped.fetch });
    this.#capped = capped;
    this.circuit = circuit;
    this.#credentialsHint = credentialsHint;
  }

  override listTools(): Promise<UpstreamTool[]> {
    return this.#guarded(() => super.listTools());
  }

  override callTool(name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallToolResult> {
    return this.#guarded(() => super.callTool(name, args, timeoutMs));
  }

  async #guarded<T>(op: () => Promise<T>): Promise<T> {
    const wasOpen = this.circuit.state() === "open";
    try {
      return await this.circuit.run(() =>
        this.#reconnecting(op).catch((err) => {
          throw clarifyUpstreamError(
            this.#capped.refusal(err),
            this.config.name,
            this.#credentialsHint,
            this.config.url,
          );
        }),
      );
    } catch (err) {
      // Just cut off: drop the connection, which also aborts requests still hanging on it.
      if (!wasOpen && this.circuit.state() === "open") await this.close();
      throw err;
    }
  }

  async #reconnecting<T>(op: () => Promise<T>): Promise<T> {
    const generation = this.#generation;
    const shared = this.usesSharedHandshake;
    try {
      return await op();
    } catch (err) {
      // A handshake adopted from another session may be stale (session expired, server upgraded): the request
      // was refused before it ran, so it is sent again after a handshake of this connection's own.
      const stale = (shared || this.usesSharedHandshake) && isRefusedHandshake(err);
      if (!isLostSession(err) && !stale) throw err;
      if (stale) this.refuseSharedHandshake(isLostSession(err));
      if (generation === this.#generation) {
        this.#generation++;
        await this.close();
      }
      return op();
    }
  }
}

export function connectUpstream(
  config: ServerConfig,
  deps: { env: Record<string, unknown>; exports: unknown; user: string; gateway: GatewayConfig },
): UpstreamConnection {
  if (config.url.startsWith(BUILTIN_URL_PREFIX)) {
    return new BuiltinConnection(config, config.url.slice(BUILTIN_URL_PREFIX.length), deps);
  }
  const { gateway } = deps;
  // A URL that does not parse (`http://1.2.3.4.5/`) must fail as this server's error, never break the registry.
  const url = URL.canParse(config.url) ? new URL(config.url) : undefined;
  const refuse = () =>
    Promise.reject(new UrlRefusedError(`refused to connect: the configured URL of ${config.name} is not a valid URL`));
  return new NetworkUpstream(
    config,
    {
      env: deps.env,
      owner: deps.user,
      url: url ?? new URL("http://invalid.invalid/"),
      fetch: url ? guardedFetch((input, init) => fetch(input, init), gateway.network) : refuse,
    },
    circuitFor(deps.user, config, gateway.limits),
  );
}
