/**
 * Prompt of the strategy model: the task becomes a short plan in plain steps. Versioned: the version travels in
 * every run_task result, so a change of wording is visible in what users report. Nothing secret belongs here.
 */
export const STRATEGY_PROMPT = {
  version: "strategy/1",
  system: `You plan programs for a code-mode tool gateway. A program is TypeScript that calls tools (async functions
imported from "servers/<server>") and returns one result.
Write a short numbered plan (at most 8 steps) for the task: which kinds of tools to call, in what order, and what to
compute and return. Name the kinds of tools in plain words (e.g. "read a file", "search issues"). No code.`,
  user: `Task: {{task}}
{{servers}}`,
} as const;
