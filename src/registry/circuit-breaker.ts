/**
 * @module registry/circuit-breaker
 * Cuts off an upstream that keeps failing, so a dead or broken server costs one fast error per call instead of a
 * full timeout each, and is tried again later on its own.
 *
 * closed → (N consecutive faults) → open: every call fails at once with the reason and the time of the next try
 * open → (cooldown elapsed) → half-open: exactly one trial call goes through, the others still fail fast
 * half-open → trial succeeds → closed; trial faults → open again for another cooldown
 *
 * A fault is a sign the SERVER is unhealthy: no connection, HTTP errors, timeouts, dropped streams, responses that
 * are not JSON-RPC. A tool that answers with `isError`, or a JSON-RPC error the server sent on purpose, is a
 * healthy server saying no and counts as a success.
 */

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitOptions {
  /** Consecutive faults that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  cooldownMs: number;
  /** Clock, in ms since epoch (tests pass a fake one). */
  now?: () => number;
}

/** What `list_servers` shows about a server's circuit. */
export interface CircuitSnapshot {
  state: CircuitState;
  consecutive_failures: number;
  /** Consecutive failures that open the circuit. */
  failure_threshold: number;
  /** The most recent fault, kept until a call succeeds. */
  last_failure?: { message: string; at: string };
  /** When an open circuit lets the next trial call through. */
  retry_at?: string;
}

/** Thrown instead of calling an upstream whose circuit is open; never counted as a fault itself. */
export class CircuitOpenError extends Error {
  override readonly name = "CircuitOpenError";
}

/** SDK codes for failures seen on the client side, not sent by the server (ConnectionClosed, RequestTimeout). */
const LOCAL_MCP_ERROR_CODES = new Set([-32000, -32001]);

/**
 * Whether an error from an upstream operation says the server is unhealthy. Structural on purpose (no SDK
 * import): a JSON-RPC error the server sent (`ProtocolError` in the SDK v2 client, `McpError` in v1) carries a
 * numeric `code` and is the server answering, not failing; the client's own failures (v2 `SdkError`: a timeout, a
 * closed connection; v1 the codes below), HTTP errors, network TypeErrors, JSON SyntaxErrors and schema errors are
 * faults.
 */
export function isUpstreamFault(err: unknown): boolean {
  if (err instanceof CircuitOpenError) return false;
  const name = (err as { name?: unknown })?.name;
  // Refused before sending, or waiting for the user to sign in: the upstream itself is fine.
  if (name === "UrlRefusedError" || name === "AuthorizationRequiredError" || name === "OAuthChallengeError") {
    return false;
  }
  const code = (err as { code?: unknown })?.code;
  if ((name === "ProtocolError" || name === "McpError") && typeof code === "number") {
    return LOCAL_MCP_ERROR_CODES.has(code);
  }
  return true;
}

export class CircuitBreaker {
  readonly #label: string;
  readonly #threshold: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  #state: CircuitState = "closed";
  #failures = 0;
  #openedAt = 0;
  #trialStartedAt: number | undefined;
  #lastFailure: { message: string; at: number } | undefined;

  /** `label` names the upstream in errors ("upstream github"). */
  constructor(label: string, options: CircuitOptions) {
    this.#label = label;
    this.#threshold = Math.max(1, options.failureThreshold);
    this.#cooldownMs = Math.max(0, options.cooldownMs);
    this.#now = options.now ?? Date.now;
  }

  /** The current state (an open circuit whose cooldown is over reads as half-open). */
  state(): CircuitState {
    this.#advance();
    return this.#state;
  }

  /** Open → half-open once the cooldown is over; a trial that never reported back expires after a cooldown too. */
  #advance(): void {
    const now = this.#now();
    if (this.#state === "open" && now - this.#openedAt >= this.#cooldownMs) {
      this.#state = "half_open";
      this.#trialStartedAt = undefined;
    }
    if (this.#state === "half_open" && this.#trialStartedAt !== undefined) {
      if (now - this.#trialStartedAt >= Math.max(this.#cooldownMs, 1)) this.#trialStartedAt = undefined;
    }
  }

  /**
   * Admits one call or throws {@link CircuitOpenError}. Every admitted call must report back with
   * {@link success} or {@link failure} (use {@link run}).
   */
  enter(): void {
    this.#advance();
    if (this.#state === "closed") return;
    if (this.#state === "half_open" && this.#trialStartedAt === undefined) {
      this.#trialStartedAt = this.#now();
      return;
    }
    throw new CircuitOpenError(this.#openMessage());
  }

  #openMessage(): string {
    const seconds = Math.max(1, Math.ceil((this.#openedAt + this.#cooldownMs - this.#now()) / 1000));
    const last = this.#lastFailure ? ` (last error: ${this.#lastFailure.message})` : "";
    const when =
      this.#state === "half_open" ? "a trial call is in progress; retry shortly" : `retrying after ${seconds} s`;
    return `${this.#label} is cut off after ${this.#failures} consecutive failures; ${when}${last}`;
  }

  success(): void {
    this.#state = "closed";
    this.#failures = 0;
    this.#trialStartedAt = undefined;
    this.#lastFailure = undefined;
  }

  /** Counts a fault. Calls admitted before the circuit opened and failing after it are not counted again. */
  failure(err: unknown): void {
    this.#advance();
    if (this.#state === "open") return;
    const message = String((err as Error)?.message ?? err).slice(0, 300);
    this.#failures++;
    this.#lastFailure = { message, at: this.#now() };
    this.#trialStartedAt = undefined;
    if (this.#state === "half_open" || (this.#state === "closed" && this.#failures >= this.#threshold)) {
      this.#state = "open";
      this.#openedAt = this.#now();
    }
  }

  /**
   * Runs `fn` through the breaker: refused at once while open; a fault (per `isFault`) counts towards opening,
   * anything else (a result, or an error the server sent on purpose) closes the circuit.
   */
  async run<T>(fn: () => Promise<T>, isFault: (err: unknown) => boolean = isUpstreamFault): Promise<T> {
    this.enter();
    try {
      const value = await fn();
      this.success();
      return value;
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        this.#trialStartedAt = undefined;
      } else if (isFault(err)) {
        this.failure(err);
      } else {
        this.success();
      }
      throw err;
    }
  }

  /** Closed without a failure counted: a fresh circuit would behave the same, so forgetting this one loses nothing. */
  idle(): boolean {
    this.#advance();
    return this.#state === "closed" && this.#failures === 0;
  }

  snapshot(): CircuitSnapshot {
    this.#advance();
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      state: this.#state,
      consecutive_failures: this.#failures,
      failure_threshold: this.#threshold,
      ...(this.#lastFailure
        ? { last_failure: { message: this.#lastFailure.message, at: iso(this.#lastFailure.at) } }
        : {}),
      ...(this.#state === "open" ? { retry_at: iso(this.#openedAt + this.#cooldownMs) } : {}),
    };
  }
}
