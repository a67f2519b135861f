/**
 * @module sandbox/live-execution
 * The host's record of one running execution. Every tool call from the sandbox passes through here: refused once
 * the execution has ended or a limit is reached, checked, sent upstream with a timeout, and recorded honestly
 * (`ok`, `error`, `timeout` when the effect is unknown, `rejected` when nothing was sent).
 */
import type { Limits } from "../config";
import type { Catalog, Registry } from "../registry/registry";
import { toToolOutcome } from "../registry/tool-result";
import type { SkillVersion } from "../skills/skill-types";
import type { BridgeReply, ToolCallRecord, ToolCallStatus } from "./execution-types";
import { validateArgs } from "./validate-args";

const MAX_ARGS_BYTES = 1024 * 1024;
const TRUNCATION_MARKER = "…[truncated:";

/** Most gateway operations (state, progress) one execution may make. */
export const MAX_HOST_OPS = 10_000;

/** Parses JSON that crossed the bridge, refusing `__proto__` keys (JSON.parse makes them real own properties). */
export function parseBridgeJson(json: string): unknown {
  return JSON.parse(json, (key, value) => {
    if (key === "__proto__") throw new Error("the key __proto__ is not allowed");
    return value;
  });
}

export class LiveExecution {
  readonly id: string;
  readonly calls: ToolCallRecord[] = [];
  readonly startedAt = Date.now();
  #ended = false;
  #hostOps = 0;
  #catalog: Catalog;
  #registry: Registry;
  #limits: Limits;

  /** Skill versions this execution imported, by `name@version` (for input validation on every run). */
  readonly skills: ReadonlyMap<string, SkillVersion>;

  constructor(
    id: string,
    deps: { catalog: Catalog; registry: Registry; limits: Limits; skills?: ReadonlyMap<string, SkillVersion> },
  ) {
    this.id = id;
    this.skills = deps.skills ?? new Map();
    this.#catalog = deps.catalog;
    this.#registry = deps.registry;
    this.#limits = deps.limits;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** After this, every call is rejected before it reaches an upstream (late timers, un-awaited promises). */
  end(): void {
    this.#ended = true;
  }

  /** Counts one gateway operation; returns an error message once the execution has made too many. */
  countHostOp(): string | undefined {
    if (++this.#hostOps > MAX_HOST_OPS)
      return `too many gateway operations (state, progress): the limit is ${MAX_HOST_OPS} per execution`;
    return undefined;
  }

  async callTool(server: string, tool: string, argsJson: string): Promise<BridgeReply> {
    const started = Date.now();
    const record = (status: ToolCallStatus, error?: string): ToolCallRecord => {
      const entry: ToolCallRecord = {
        server,
        tool,
        status,
        ok: status === "ok",
        ms: Date.now() - started,
        started_ms: started - this.startedAt,
        ...(error ? { error } : {}),
      };
      this.calls.push(entry);
      return entry;
    };
    const reject = (error: string): BridgeReply => {
      record("rejected", error);
      return { ok: false, status: "rejected", error };
    };

    if (this.#ended) return reject(`${server}.${tool} was called after the execution ended; await every tool call`);
    if (this.calls.length >= this.#limits.max_tool_calls) {
      return reject(`tool call limit reached: max_tool_calls is ${this.#limits.max_tool_calls} per execution`);
    }
    const entry = this.#catalog.byName.get(server);
    const def = entry?.tools.find((t) => t.name === tool);
    if (!entry || !def) return reject(`unknown tool ${server}.${tool}`);
    if (argsJson.length > MAX_ARGS_BYTES) {
      return reject(`${server}.${tool}: arguments are ${argsJson.length} bytes; the limit is ${MAX_ARGS_BYTES}`);
    }
    let args: Record<string, unknown>;
    try {
      args = parseBridgeJson(argsJson) as Record<string, unknown>;
    } catch (err) {
      return reject(`${server}.${tool}: invalid arguments: ${(err as Error).message}`);
    }
    const invalid = validateArgs(def, args);
    if (invalid) return reject(`${server}.${tool}: ${invalid} (get_tool_details shows its types)`);

    const conn = this.#registry.connection(server)!;
    const timeoutMs = conn.config.timeout_ms ?? this.#limits.tool_call_timeout_ms;
    try {
      const outcome = toToolOutcome(await conn.callTool(tool, args, timeoutMs));
      if (!outcome.ok) {
        record("error", outcome.message);
        return { ok: false, status: "error", error: `${server}.${tool} failed: ${outcome.message}` };
      }
      const value = this.#capValue(server, tool, outcome.value);
      if (!value.ok) {
        record("error", value.error);
        return { ok: false, status: "error", error: value.error };
      }
      record("ok");
      return { ok: true, ...(value.json === undefined ? {} : { value: value.json }) };
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (/timed out|timeout/i.test(message)) {
        const error = `${server}.${tool} timed out after ${timeoutMs} ms (tool_call_timeout_ms); the request was sent, so it may or may not have taken effect`;
        record("timeout", error);
        return { ok: false, status: "timeout", error };
      }
      const error = `${server}.${tool} failed: ${message}`;
      record("error", error);
      return { ok: false, status: "error", error };
    }
  }

  /** Applies max_tool_result_bytes: text is cut with a visible marker; structured data over the cap is an error. */
  #capValue(server: string, tool: string, value: unknown): { ok: true; json?: string } | { ok: false; error: string } {
    if (value === undefined) return { ok: true };
    const max = this.#limits.max_tool_result_bytes;
    if (typeof value === "string" && value.length > max) {
      const cut = `${value.slice(0, max)}${TRUNCATION_MARKER} ${value.length} characters; max_tool_result_bytes is ${max}]`;
      return { ok: true, json: JSON.stringify(cut) };
    }
    const json = JSON.stringify(value);
    if (json.length > max) {
      return {
        ok: false,
        error: `${server}.${tool} returned ${json.length} bytes, over max_tool_result_bytes (${max}); ask for less (filters, pagination)`,
      };
    }
    return { ok: true, json };
  }
}
