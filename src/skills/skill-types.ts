/** Contracts of the skill library. */
import type { JsonSchema } from "../registry/registry-types";

/** A tool a skill calls, with the definition hash seen when the skill was saved (for drift detection). */
export interface SkillToolUse {
  server: string;
  tool: string;
  hash?: string;
}

/** One immutable version of a skill. */
export interface SkillVersion {
  name: string;
  version: number;
  description: string;
  /** TypeScript module exporting one async function that takes the input object. */
  code: string;
  input_schema: JsonSchema;
  tags: string[];
  uses: SkillToolUse[];
  /** ISO date of the save; absent for skills shipped with the gateway. */
  created_at?: string;
  /** Shipped with the gateway (skills/), read-only. */
  builtin?: boolean;
}

export interface SkillDrift {
  server: string;
  tool: string;
  status: "changed" | "missing";
  /** What happened, in words (e.g. "server ev2 was removed (no server of that name is configured)"). */
  reason: string;
}

/** What code-preparation needs to know about importable skills. */
export interface SkillIndexEntry {
  latest: number;
  versions: number[];
  exports: string[];
}
