/**
 * @module sandbox/approval
 * Approval policy for tool calls made from code, and the records that let an execution paused for approval be
 * resumed without running any earlier call twice.
 *
 * Resumption re-runs the same code from the start. Calls that already ran are answered from their recorded
 * replies instead of reaching the upstream; a call is matched by server, tool and its exact JSON arguments, so
 * the code must be deterministic up to tool results (same calls with the same arguments; their order may vary).
 */
import type { ServerConfig } from "../config";
import type { CatalogTool } from "../registry/registry-types";
import type { BridgeReply } from "./execution-types";

export type ApprovalPolicy = "allow" | "ask" | "deny";

/** Who decided: the policy, or the user (in the client, by the meta-tools, or on the dashboard page). */
export type ApprovalActor =
  | "policy"
  | "user (elicitation)"
  | "user (approve_call)"
  | "user (deny_call)"
  | "user (dashboard)";

/** Who decided about one call, and when (kept in the execution's tool-call trace: the audit). */
export interface ApprovalAudit {
  decision: "allowed" | "approved" | "declined" | "denied" | "pending";
  by: ApprovalActor;
  at: string;
}

/** A call that waits for approval, or for the user to sign in to its server (`authorization`). */
export interface PendingCall {
  server: string;
  tool: string;
  arguments: unknown;
  signature: string;
  /** Set when the call waits for a sign-in rather than an approval: resuming it approves nothing. */
  authorization?: {
    status: "authorization_required" | "expired";
    url?: string;
    /** A step-up: the scopes the server asked for that the grant lacks (src/registry/step-up-scope.ts). */
    scope?: string;
  };
}

/** A call that ran (or was refused by the upstream) in an earlier attempt, answered again on replay. */
export interface RecordedCall {
  signature: string;
  reply: BridgeReply;
}

/**
 * The most state an approval handle keeps (src/user/pending-approvals.ts): the replies of the calls that ran before
 * the suspension, with their signatures. An execution whose recorded calls pass it can never be resumed, so it stops
 * keeping them (src/sandbox/live-execution.ts): otherwise 5,000 calls of 1 MiB each would hold 5 GB in the session
 * object until the execution ends.
 */
export const MAX_RECORDED_CHARS = 32 * 1024 * 1024;

/** What a resumption replays: the recorded calls, or, past {@link MAX_RECORDED_CHARS}, how much there was and none. */
export interface ReplayState {
  recorded: RecordedCall[];
  /** Set when the recorded calls passed what a handle keeps (`recorded` is then empty): it cannot be resumed. */
  recordedTooLarge?: number;
}

/** What an execution stopped at a call that needs approval or sign-in hands its session for a resumption. */
export interface Suspension extends ReplayState {
  pending: PendingCall;
}

/** Characters a recorded call adds to a suspension's stored state (its JSON: signature, reply, punctuation). */
export function recordedChars(call: RecordedCall): number {
  const { reply } = call;
  return call.signature.length + (reply.ok ? (reply.value?.length ?? 0) : reply.error.length + 16) + 48;
}

/** Identity of a call for replay: same server, tool and argument JSON. */
export function callSignature(server: string, tool: string, argsJson: string): string {
  return `${server}\u0000${tool}\u0000${argsJson}`;
}

/** The policy of a tool: per-tool config, then the server's default, then the tool's annotations. */
export function approvalPolicy(server: ServerConfig, tool: CatalogTool): ApprovalPolicy {
  // A Map (src/config.ts): a tool named `constructor` or `__proto__` finds only its own entry.
  const configured = server.approval?.tools.get(tool.name) ?? server.approval?.default;
  if (configured) return configured;
  const a = tool.annotations;
  if (a?.readOnlyHint === true) return "allow";
  return a?.destructiveHint === true || a?.openWorldHint === true ? "ask" : "allow";
}

/** The last time formatted: every allowed call is audited, and Workers' clock stands still between I/O. */
let lastMs = Number.NaN;
let lastIso = "";

export function audit(decision: ApprovalAudit["decision"], by: ApprovalAudit["by"]): ApprovalAudit {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return { decision, by, at: lastIso };
}

/** Replies recorded in an earlier attempt, consumed once each by matching calls. */
export class ReplayLog {
  #bySignature = new Map<string, BridgeReply[]>();

  constructor(recorded: readonly RecordedCall[] = []) {
    for (const r of recorded)
      this.#bySignature.set(r.signature, [...(this.#bySignature.get(r.signature) ?? []), r.reply]);
  }

  take(signature: string): BridgeReply | undefined {
    // Most executions replay nothing: looking the signature up would hash (and first flatten) the argument JSON.
    if (this.#bySignature.size === 0) return undefined;
    const replies = this.#bySignature.get(signature);
    return replies?.shift();
  }
}
