/**
 * @module planning/pipeline
 * run_task from one sentence: plan (strategy model) → find tools (search, then the filter model) → read their
 * declarations → write the program (main model) → check it → run it through the session's execute path (rate
 * limit, per-user cap, approvals and history apply to every attempt) → on a check or runtime error, hand the error
 * back to the main model and try again, up to `max_attempts`, all within `timeout_ms`.
 *
 * A retry never repeats a call with effects: an attempt that failed after a call that is not annotated
 * `readOnlyHint: true` was sent ends the task (`stopped`) instead, since the replay of recorded calls belongs to
 * approvals alone. An attempt that needs approval ends the task with its handle.
 */
import { toolDeclaration } from "../codegen/declarations";
import type { SemanticSearch } from "../mcp/catalog-search";
import type { Catalog, Registry } from "../registry/registry";
import type { CatalogTool } from "../registry/registry-types";
import type { ExecuteResult } from "../sandbox/execution-types";
import type { ToolExtra } from "../session/notifier";
import type { SkillService } from "../skills/skill-service";
import type { ObservedTypes } from "../typecheck/observed-types";
import { attemptCalls, readOnlyIn, sideEffects } from "./attempt-calls";
import { type CodeCheck, checkProgram } from "./code-check";
import { type ChatMessage, ModelError, type TaskModels } from "./model-client";
import { fillPrompt, programFrom } from "./parse-answer";
import { FILTER_PROMPT } from "./prompts/filter";
import { MAIN_PROMPT } from "./prompts/main";
import { STRATEGY_PROMPT } from "./prompts/strategy";
import { TaskCancelledError, TaskClock, TaskTimeoutError } from "./task-clock";
import type { TaskProgress } from "./task-progress";
import type { TaskAttempt, TaskInput, TaskOutcome, TaskResult } from "./task-types";
import { filterCandidates, searchCandidates } from "./tool-finder";

export interface TaskDeps {
  models: TaskModels;
  registry: Registry;
  skills: SkillService;
  semantic?: SemanticSearch | undefined;
  /** Result types observed for tools without outputSchema: the declarations show them as get_tool_details does. */
  observed?: ObservedTypes | undefined;
  /** Checks before running; see code-check.ts (a type-check plugs in here). */
  checks: readonly CodeCheck[];
  execute(code: string, timeoutMs: number, extra?: ToolExtra): Promise<ExecuteResult>;
  progress: TaskProgress;
  /** The request's signal: cancelling the request stops the pipeline. */
  signal?: AbortSignal | undefined;
}

const MAX_SKILLS_IN_PROMPT = 3;
/**
 * Error kinds of an execution refused before its program started: they belong to the check stage even when the
 * execute path found them (it prepares again, and type-checks once src/typecheck is merged into the executor).
 */
const CHECK_KINDS: ReadonlySet<string> = new Set(["syntax", "import", "reserved", "type"]);
/** Characters of an error handed back to the model: enough for a message and a code frame. */
const MAX_ERROR_CHARS = 4_000;

const PROMPT_VERSIONS = {
  strategy: STRATEGY_PROMPT.version,
  filter: FILTER_PROMPT.version,
  main: MAIN_PROMPT.version,
};

/** Runs the pipeline; never throws: every failure is an outcome with a readable error. */
export async function runTask(input: TaskInput, deps: TaskDeps): Promise<TaskResult> {
  const clock = new TaskClock(input.timeout_ms, deps.signal);
  const report: Omit<TaskResult, "outcome" | "steps" | "tokens" | "duration_ms"> = {
    tools: [],
    attempts: [],
    prompt_versions: PROMPT_VERSIONS,
  };
  const end = (outcome: TaskOutcome, extra: Partial<TaskResult> = {}): TaskResult => {
    clock.stop();
    return {
      outcome,
      ...report,
      ...extra,
      steps: clock.steps,
      tokens: clock.tokens,
      duration_ms: Date.now() - clock.startedAt,
    };
  };
  try {
    return await pipeline(input, deps, clock, report, end);
  } catch (err) {
    if (err instanceof TaskTimeoutError) return end("timeout", { error: err.message });
    if (err instanceof ModelError) return end("model_error", { error: err.message });
    if (err instanceof TaskCancelledError) return end("cancelled", { error: err.message });
    throw err;
  }
}

async function pipeline(
  input: TaskInput,
  deps: TaskDeps,
  clock: TaskClock,
  report: Omit<TaskResult, "outcome" | "steps" | "tokens" | "duration_ms">,
  end: (outcome: TaskOutcome, extra?: Partial<TaskResult>) => TaskResult,
): Promise<TaskResult> {
  const { models, progress } = deps;
  const catalog = await clock.within(deps.registry.catalog());
  const unknown = (input.servers ?? []).filter((s) => !catalog.byName.has(s));
  if (unknown.length) {
    return end("failed", {
      error: `unknown servers: ${unknown.join(", ")}; servers: ${catalog.servers.map((s) => s.name).join(", ")}`,
    });
  }

  progress.step("plan");
  const planAnswer = await clock.step(
    "plan",
    () => models.chat("strategy", strategyMessages(input, catalog), clock.signal),
    (a) => [a],
  );
  const plan = planAnswer.text.trim().slice(0, 8_000);
  report.plan = plan;

  progress.step("find tools");
  const found = await clock.step(
    "find_tools",
    async () => {
      const candidates = await searchCandidates(catalog, `${input.task}\n${plan}`, input.servers, deps.semantic);
      return filterCandidates(models, input.task, plan, candidates, clock.signal);
    },
    (f) => f.answers,
  );
  report.tools = found.chosen.map((t) => `${t.server}.${t.name}`);

  progress.step("read declarations");
  const context = await clock.step("declarations", async () => {
    await deps.observed?.load(catalog, found.chosen);
    return {
      declarations: declarationsOf(found.chosen, deps.observed),
      // A skill that calls a tool gone from the catalog cannot run: it is not offered.
      skills: (await deps.skills.search(input.task.slice(0, 1_000), MAX_SKILLS_IN_PROMPT, catalog)).filter(
        (s) => !s.drift.some((d) => d.status === "missing"),
      ),
    };
  });

  const messages: ChatMessage[] = [
    { role: "system", content: MAIN_PROMPT.system },
    {
      role: "user",
      content: fillPrompt(MAIN_PROMPT.user, {
        task: input.task,
        plan,
        declarations: context.declarations || "(no tool matched; solve the task without tools if you can)",
        skills: context.skills.length
          ? `\nSkills you may import:\n${context.skills.map((s) => `import { ${s.name} } from "skills/${s.name}"; // ${s.description.replace(/\s+/g, " ").slice(0, 300)}`).join("\n")}`
          : "",
      }),
    },
  ];

  const readOnly = readOnlyIn(catalog);
  let last: TaskAttempt | undefined;
  for (let n = 1; n <= input.max_attempts; n++) {
    progress.step(`attempt ${n}: write`);
    const answer = await clock.step(
      "write",
      () => models.chat("main", messages, clock.signal),
      (a) => [a],
      n,
    );
    const code = programFrom(answer.text);
    messages.push({ role: "assistant", content: answer.text.slice(0, 200_000) });
    report.code = code;

    progress.step(`attempt ${n}: check`);
    const problem = code
      ? await clock.step("check", () => checkProgram(deps.checks, code), undefined, n)
      : { kind: "empty", message: "the answer held no program" };
    if (problem) {
      last = { attempt: n, code, stage: "check", ok: false, error: problem };
      report.attempts.push(last);
      messages.push(repairMessage("check", `${problem.kind}: ${problem.message}`));
      continue;
    }

    progress.step(`attempt ${n}: run`);
    const remaining = clock.remainingMs();
    if (remaining < 1) throw new TaskTimeoutError(`run_task ran out of its ${clock.timeoutMs} ms (timeout_ms)`);
    const r = await clock.step(
      "run",
      () => deps.execute(code, remaining, progress.relay(`attempt ${n}: `)),
      undefined,
      n,
    );
    last = attemptOf(n, code, r, readOnly);
    report.attempts.push(last);
    if (r.ok) return end("succeeded", { result: r.result });
    // A suspended execution (approval today; any status the executor adds later) ends the task with that status.
    if (r.status) {
      return end(r.status, {
        error:
          r.status === "approval_required"
            ? "a call needs the user's approval: approve_call({ handle }) runs the program on from there"
            : `the execution stopped with status ${r.status}: ${r.error?.message ?? ""}`,
        ...(r.approval ? { approval: r.approval } : {}),
      });
    }
    if (!r.execution_id) return end("refused", { error: r.error?.message ?? "the gateway refused to run the program" });
    const effects = sideEffects(r.tool_calls, readOnly);
    if (effects.length) {
      const names = effects.join(", ");
      return end("stopped", {
        error: `attempt ${n} failed after calling ${names}, which is not read-only; a retry could repeat it, so the task stops here (execution ${r.execution_id}: ${r.error?.message})`,
      });
    }
    messages.push(repairMessage(last.stage, `${r.error?.kind}: ${r.error?.message}${logTail(r)}`));
  }
  const why = last?.error ? `${last.error.kind}: ${last.error.message}` : "no attempt";
  return end("failed", {
    error: `no program passed in ${input.max_attempts} attempts (max_attempts); the last ${last?.stage ?? ""} error was ${why}`,
  });
}

function strategyMessages(input: TaskInput, catalog: Catalog): ChatMessage[] {
  const servers = catalog.servers
    .filter((s) => !input.servers?.length || input.servers.includes(s.name))
    .map((s) => `- ${s.name}${s.description ? `: ${s.description.replace(/\s+/g, " ").slice(0, 200)}` : ""}`);
  return [
    { role: "system", content: STRATEGY_PROMPT.system },
    {
      role: "user",
      content: fillPrompt(STRATEGY_PROMPT.user, { task: input.task, servers: `Servers:\n${servers.join("\n")}` }),
    },
  ];
}

/** The import line and TypeScript declaration of each chosen tool, as get_tool_details shows them. */
export function declarationsOf(tools: readonly CatalogTool[], observed?: ObservedTypes): string {
  return tools
    .map(
      (t) =>
        `import { ${t.id} } from "servers/${t.serverId}";\n${toolDeclaration(t, { outputType: (tool) => observed?.override(tool) })}`,
    )
    .join("\n\n");
}

function repairMessage(stage: "check" | "run", error: string): ChatMessage {
  return { role: "user", content: fillPrompt(MAIN_PROMPT.repair, { stage, error: error.slice(0, MAX_ERROR_CHARS) }) };
}

function logTail(r: ExecuteResult): string {
  return r.logs.length ? `\nLast logs:\n${r.logs.slice(-10).join("\n").slice(-1_000)}` : "";
}

function attemptOf(n: number, code: string, r: ExecuteResult, readOnly: ReturnType<typeof readOnlyIn>): TaskAttempt {
  return {
    attempt: n,
    code,
    stage: r.error && CHECK_KINDS.has(r.error.kind) ? "check" : "run",
    ok: r.ok,
    ...(r.error
      ? { error: { kind: r.error.kind, message: r.error.message, ...(r.error.line ? { line: r.error.line } : {}) } }
      : {}),
    ...(r.execution_id ? { execution_id: r.execution_id } : {}),
    ...attemptCalls(r.tool_calls, readOnly),
  };
}
