/**
 * @module planning/parse-answer
 * Reading model answers forgivingly, with bounded, linear scans (answers are untrusted text): the program is the
 * first fenced code block, or the whole answer when there is none; a filter answer is the first JSON array of
 * numbers in it, or nothing (the caller then falls back to the search ranking).
 */

/** Most characters of an answer considered; beyond this the answer is cut (the program check then reports it). */
const MAX_ANSWER_CHARS = 200_000;

/** The program in a model answer: the body of the first ``` fence (any info string), else the trimmed answer. */
export function programFrom(answer: string): string {
  const text = answer.slice(0, MAX_ANSWER_CHARS);
  const open = text.indexOf("```");
  if (open < 0) return text.trim();
  const lineEnd = text.indexOf("\n", open + 3);
  if (lineEnd < 0) return text.trim();
  const close = text.indexOf("```", lineEnd + 1);
  // An unclosed fence (answer cut at max_tokens) still yields what was written.
  return text.slice(lineEnd + 1, close < 0 ? undefined : close).trim();
}

/**
 * The 1-based numbers in a filter answer's first JSON array, deduplicated and kept within `1..count`; undefined when
 * the answer holds no parseable array of numbers.
 */
export function pickedNumbers(answer: string, count: number): number[] | undefined {
  const text = answer.slice(0, 20_000);
  const open = text.indexOf("[");
  if (open < 0) return undefined;
  const close = text.indexOf("]", open);
  if (close < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(open, close + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === "number" && Number.isInteger(n))) return undefined;
  const kept = new Set<number>();
  for (const n of parsed as number[]) if (n >= 1 && n <= count) kept.add(n);
  return [...kept];
}

/** Fills `{{name}}` placeholders of a prompt template; values are inserted as given (one pass, no re-expansion). */
export function fillPrompt(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([a-z_]+)\}\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name]! : whole,
  );
}
