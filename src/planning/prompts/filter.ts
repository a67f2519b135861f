/**
 * Prompt of the filter model: from a numbered batch of candidate tools, keep the ones the task needs. The answer
 * is a JSON array of numbers; anything else falls back to the search ranking. Versioned; nothing secret here.
 */
export const FILTER_PROMPT = {
  version: "filter/1",
  system: `You choose tools for a task. You get the task, a plan, and numbered candidate tools.
Answer with only a JSON array of the numbers of the tools the program needs, most useful first, e.g. [2, 5].
Answer [] when none is needed.`,
  user: `Task: {{task}}

Plan:
{{plan}}

Candidates:
{{candidates}}`,
} as const;
