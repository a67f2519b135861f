/** Types of synthetic-catalog.mjs (plain JavaScript so the synthetic upstream runs on bare Node). */

export interface SyntheticTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: { readOnlyHint: boolean; destructiveHint: boolean };
  /** What the tool does, for generating search queries; not part of the MCP tool. */
  meta: { service: string; verb: string; object: string };
}

export const MAX_SYNTHETIC_TOOLS: number;
export function syntheticTools(count: number, seed?: number): SyntheticTool[];
export function syntheticQueries(
  tools: readonly SyntheticTool[],
  count: number,
  seed?: number,
): Array<{ query: string; expect: string }>;
