/**
 * @module planning/run-task-tool
 * `run_task`: hand the gateway a task in one sentence; the models configured under `models` plan, write, check, run
 * and repair the program (planning/pipeline.ts). Listed only when models are configured, so the default tools/list
 * stays as small as it was.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { GatewayContext } from "../mcp/gateway-context";
import { errorResult, structuredResult } from "../mcp/tool-result";
import { prettyJson } from "../shared/pretty-json";
import { checkSkillName } from "../skills/skill-check";
import { prepareCheck } from "./code-check";
import { runTask } from "./pipeline";
import { programAsSkill } from "./program-skill";
import { TaskProgress } from "./task-progress";
import type { TaskInput, TaskResult } from "./task-types";

/** Default bound on the whole pipeline when `timeout_ms` is not given. */
export const DEFAULT_TASK_TIMEOUT_MS = 120_000;
export const MAX_TASK_TIMEOUT_MS = 600_000;
const MAX_ATTEMPTS = 10;

/** Registers run_task when models are configured; does nothing otherwise. */
export function registerRunTaskTool(server: McpServer, ctx: GatewayContext): void {
  const models = ctx.models;
  if (!models) return;
  server.registerTool(
    "run_task",
    {
      description:
        "A task in one sentence: the gateway's models plan, write, check, run and repair a program for it. Returns outcome, result, code, attempts, timings.",
      inputSchema: {
        task: z.string().min(1).max(4_000),
        servers: z.array(z.string()).max(50).optional(),
        max_attempts: z.number().int().min(1).max(MAX_ATTEMPTS).default(3),
        timeout_ms: z.number().int().positive().max(MAX_TASK_TIMEOUT_MS).optional(),
        save_as: z.string().optional(),
      },
    },
    async ({ task, servers, max_attempts, timeout_ms, save_as }, extra) => {
      if (save_as !== undefined) {
        const bad = checkSkillName(save_as);
        if (bad) return errorResult(`save_as: ${bad}`);
      }
      const input: TaskInput = {
        task,
        servers,
        max_attempts,
        timeout_ms: timeout_ms ?? DEFAULT_TASK_TIMEOUT_MS,
        save_as,
      };
      const progress = new TaskProgress(extra);
      const result = await runTask(input, {
        models,
        registry: ctx.registry,
        skills: ctx.skills,
        semantic: ctx.semantic,
        observed: ctx.observed,
        checks: [prepareCheck(ctx.registry, ctx.skills)],
        execute: (code, timeoutMs, relayed) => ctx.execute(code, timeoutMs, relayed),
        progress,
        signal: extra.mcpReq.signal,
      });
      if (result.outcome === "succeeded" && save_as && result.code) {
        progress.step("save skill");
        await saveSkill(ctx, result, save_as, task);
      }
      return structuredResult(
        result as unknown as Record<string, unknown>,
        renderTask(result),
        // Waiting for a human (a handle to act on) is an answer, as in execute_code, not an error.
        result.outcome !== "succeeded" && !result.approval,
      );
    },
  );
}

async function saveSkill(ctx: GatewayContext, result: TaskResult, name: string, task: string): Promise<void> {
  const started = Date.now();
  const source = programAsSkill(result.code!, name);
  if (!source.ok) {
    result.skill_error = source.error;
    return;
  }
  const saved = await ctx.skills.save({
    name,
    description: `From run_task: ${task}`.slice(0, 2_000),
    code: source.code,
    tags: ["run_task"],
  });
  result.steps.push({ step: "save", ms: Date.now() - started });
  if (saved.ok) result.skill = { name: saved.value.name, version: saved.value.version };
  else result.skill_error = saved.error;
}

/** Text rendering for clients that read `content`. */
export function renderTask(r: TaskResult): string {
  const lines = [`outcome: ${r.outcome}${r.error ? ` — ${r.error}` : ""}`];
  if (r.outcome === "succeeded") lines.push(`result: ${prettyJson(r.result ?? null)}`);
  if (r.approval?.handle) lines.push(`approval handle: ${r.approval.handle} (approve_call or deny_call)`);
  if (r.skill) lines.push(`saved as skill ${r.skill.name}@${r.skill.version}`);
  if (r.skill_error) lines.push(`not saved as a skill: ${r.skill_error}`);
  if (r.tools.length) lines.push(`tools: ${r.tools.join(", ")}`);
  for (const a of r.attempts) {
    lines.push(`attempt ${a.attempt} (${a.stage}): ${a.ok ? "ok" : `${a.error?.kind}: ${a.error?.message}`}`);
  }
  lines.push(
    `steps: ${r.steps.map((s) => `${s.step}${s.attempt ? `#${s.attempt}` : ""} ${s.ms} ms`).join(", ")}`,
    `tokens: ${r.tokens.input} in, ${r.tokens.output} out; ${r.duration_ms} ms`,
  );
  if (r.code) lines.push("code:", r.code);
  return lines.join("\n");
}
