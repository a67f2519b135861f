/**
 * Tunable constants of the ranker, in one place so the evaluation CLI can try variants without forking code.
 * Defaults were chosen on the public benchmarks as whole-method settings (field weights, saturation, thresholds),
 * never per query.
 */

/** The document fields of BM25F. */
export type FieldName = "name" | "description" | "params" | "paramText" | "server" | "tags";

export const FIELD_NAMES: readonly FieldName[] = ["name", "description", "params", "paramText", "server", "tags"];

export interface FieldConfig {
  /** Multiplier of the field's term frequency: a word in the tool name is stronger evidence than one in prose. */
  weight: number;
  /** BM25 length normalisation for this field (0 = none, 1 = full). */
  b: number;
}

export interface RankerConfig {
  /** BM25 term-frequency saturation. */
  k1: number;
  fields: Record<FieldName, FieldConfig>;
  /** Query weight of conversational filler ("please", "help me") relative to a content word. */
  fillerWeight: number;
  /** Query weight of a synonym relative to the word it expands. */
  synonymWeight: number;
  /** Bonus for a query bigram found adjacent in a tool's name or description, as a fraction of its IDF. */
  bigramWeight: number;
  /**
   * Abstain when the best tool's score, divided by the IDF of a word only one tool has, is below this (roughly
   * "matches less than one rare query word well") ...
   */
  minStrength: number;
  /** ... unless it matches at least this IDF-weighted share of the query's content words. */
  minCoverage: number;
}

export const DEFAULT_RANKER_CONFIG: RankerConfig = {
  k1: 1.2,
  fields: {
    name: { weight: 3, b: 0.3 },
    description: { weight: 1, b: 0.75 },
    params: { weight: 1.5, b: 0.5 },
    paramText: { weight: 0.5, b: 0.75 },
    server: { weight: 0.5, b: 0.5 },
    tags: { weight: 1.5, b: 0.5 },
  },
  fillerWeight: 0.3,
  synonymWeight: 0.5,
  bigramWeight: 0.5,
  minStrength: 1,
  minCoverage: 0.75,
};

/** A partial RankerConfig: any constant, and any part of any field's settings. */
export type RankerConfigOverride = Partial<Omit<RankerConfig, "fields">> & {
  fields?: Partial<Record<FieldName, Partial<FieldConfig>>>;
};

/** Merges a partial override into the defaults (fields merged one level deep). */
export function resolveRankerConfig(override?: RankerConfigOverride): RankerConfig {
  if (!override) return DEFAULT_RANKER_CONFIG;
  const fields = { ...DEFAULT_RANKER_CONFIG.fields };
  for (const name of FIELD_NAMES) {
    const f = override.fields?.[name];
    if (f) fields[name] = { ...fields[name], ...f };
  }
  return { ...DEFAULT_RANKER_CONFIG, ...override, fields };
}
