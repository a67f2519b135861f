/**
 * @module planning/task-progress
 * Live progress of run_task on the request's stream, through the same `notifications/progress` path execute_code
 * uses (session/notifier.ts). Progress values must only increase for one token, while every execution's notifier
 * counts from 1: the request's `extra` handed to each execution is wrapped so that its progress notifications are
 * renumbered on the task's one counter and prefixed with the attempt they belong to.
 */
import type { ServerNotification } from "@modelcontextprotocol/server";
import type { ToolExtra } from "../session/notifier";

export class TaskProgress {
  #count = 0;
  readonly #extra: ToolExtra | undefined;

  constructor(extra: ToolExtra | undefined) {
    this.#extra = extra;
  }

  /** Names a step of the pipeline ("plan", "attempt 2: check", ...). */
  step(message: string): void {
    this.#send({ method: "notifications/progress", params: { progressToken: 0, progress: 0, message } });
  }

  /** The request's `extra` for one execution, its progress folded into the task's, or undefined without one. */
  relay(prefix: string): ToolExtra | undefined {
    const extra = this.#extra;
    if (!extra) return undefined;
    return {
      ...extra,
      mcpReq: {
        ...extra.mcpReq,
        notify: (n: Parameters<typeof extra.mcpReq.notify>[0]) =>
          n.method === "notifications/progress" ? this.#send(n as ServerNotification, prefix) : extra.mcpReq.notify(n),
      },
    };
  }

  #send(n: ServerNotification, prefix = ""): Promise<void> {
    const token = this.#extra?.mcpReq._meta?.progressToken;
    if (token === undefined || n.method !== "notifications/progress") return Promise.resolve();
    const message = `${prefix}${n.params.message ?? ""}`.slice(0, 1_000);
    return this.#extra!.mcpReq.notify({
      method: "notifications/progress",
      params: { progressToken: token, progress: ++this.#count, message },
    }).catch(() => {});
  }
}
