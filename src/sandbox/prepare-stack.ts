/**
 * @module sandbox/prepare-stack
 * Finds where in the agent's code an error was thrown, from a V8 stack trace of the prepared module.
 */

/** A frame in `agent.js`: `at f (agent.js:3:7)`, `at agent.js:3:7`, `at file:///x/agent.js:3:7`. */
const AGENT_FRAME = /(?:^|[\s(/@])agent\.js:(\d+):(\d+)/m;

/**
 * The 1-based line and column of the first `agent.js:LINE:COL` frame in `stack`, or undefined if there is none.
 * The line is exact: {@link prepareCode} keeps every original line on its line number. The column is approximate:
 * it is shifted right by guard calls inserted earlier on the same line, by removed TypeScript types (which shift it
 * left), and on line 1 by the hoisted imports and wrapper header.
 */
export function agentLocation(stack: string): { line: number; column: number } | undefined {
  const match = AGENT_FRAME.exec(stack);
  if (!match) return undefined;
  return { line: Number(match[1]), column: Number(match[2]) };
}
