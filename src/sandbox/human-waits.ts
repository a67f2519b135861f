/**
 * @module sandbox/human-waits
 * What an execution waits on a person for: approving a call of an `ask` tool, or signing in to a server whose
 * authorization is missing or expired. Asked while the execution runs when the client can be (elicitation), the wait
 * not counted against the timeout; otherwise the execution suspends, and {@link HumanWaits.suspension} resolves with
 * what resuming it later needs.
 */
import type { AuthorizationRequiredError } from "../registry/authorization-required";
import { type ApprovalActor, type ApprovalAudit, audit, type PendingCall } from "./approval";

/**
 * Asks a human about one call; `undefined` when the client cannot be asked (no elicitation support). `prompt` shows
 * every argument (src/sandbox/approval-prompt.ts); `arguments` is the exact object that runs if approved.
 */
export type Approver = (call: {
  server: string;
  tool: string;
  arguments: unknown;
  prompt: string;
}) => Promise<"approved" | "declined"> | undefined;

/**
 * Asks the user to sign in to `server` at `url` (URL-mode elicitation) and resolves once they have, `false` when
 * they declined or did not finish in time; `undefined` when the client cannot be asked (suspend instead).
 */
export type SignIn = (server: string, url: string, scope?: string) => Promise<boolean> | undefined;

/** Who can be asked, and the approval a resumed execution already carries. */
export interface HumanWaitsDeps {
  approver?: Approver;
  /** Asks for a sign-in when a call finds its server's authorization missing or expired (#15 item 4). */
  signIn?: SignIn;
  /** The call approved through approve_call, by signature. */
  approved?: string;
  /** Who approved it (the audit): approve_call unless said otherwise (the dashboard). */
  approvedBy?: ApprovalActor;
}

/** The person-facing waits of one execution (see the module comment). */
export class HumanWaits {
  /** Resolves when a call needs approval that cannot be asked now: the execution ends as approval_required. */
  readonly suspension: Promise<PendingCall>;
  #suspend!: (pending: PendingCall) => void;
  #suspended: PendingCall | undefined;
  #waitedMs = 0;
  #approvedUsed = false;
  readonly #deps: HumanWaitsDeps;
  /** Whether the execution has ended (a sign-in that completes after it does not resume it). */
  readonly #ended: () => boolean;

  constructor(deps: HumanWaitsDeps, ended: () => boolean) {
    this.#deps = deps;
    this.#ended = ended;
    this.suspension = new Promise((resolve) => {
      this.#suspend = resolve;
    });
  }

  get suspended(): PendingCall | undefined {
    return this.#suspended;
  }

  /** Time spent waiting for a human: it does not count against the execution's timeout. */
  get waitedMs(): number {
    return this.#waitedMs;
  }

  /** Asks about one call of an `ask` tool: the decision, or "suspended" when no one can be asked now. */
  async ask(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signature: string,
    prompt: string,
  ): Promise<ApprovalAudit | "suspended"> {
    if (this.#deps.approved === signature && !this.#approvedUsed) {
      this.#approvedUsed = true;
      return audit("approved", this.#deps.approvedBy ?? "user (approve_call)");
    }
    const waitStart = Date.now();
    const asked = this.#deps.approver?.({ server, tool, arguments: args, prompt });
    if (asked) {
      try {
        const answer = await asked;
        return audit(answer === "approved" ? "approved" : "declined", "user (elicitation)");
      } catch {
        // The client could not answer (elicitation failed): fall back to an approval handle.
      } finally {
        this.#waitedMs += Date.now() - waitStart;
      }
    }
    this.#suspended = { server, tool, arguments: args, signature };
    this.#suspend(this.#suspended);
    return "suspended";
  }

  /** Waits for a sign-in the user is asked for (not counted against the timeout), or suspends the execution. */
  async signIn(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    signature: string,
    needed: AuthorizationRequiredError,
  ): Promise<boolean> {
    const waitStart = Date.now();
    const asked = needed.authorization_url
      ? this.#deps.signIn?.(server, needed.authorization_url, needed.scope)
      : undefined;
    if (asked) {
      try {
        if (await asked) return !this.#ended();
      } catch {
        // The client could not be asked after all: fall back to a handle.
      } finally {
        this.#waitedMs += Date.now() - waitStart;
      }
    }
    if (this.#ended() || this.#suspended) return false;
    const url = needed.authorization_url;
    this.#suspended = {
      server,
      tool,
      arguments: args,
      signature,
      authorization: {
        status: needed.status,
        ...(url ? { url } : {}),
        ...(needed.scope ? { scope: needed.scope } : {}),
      },
    };
    this.#suspend(this.#suspended);
    return false;
  }
}
