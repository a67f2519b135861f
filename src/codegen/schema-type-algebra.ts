/**
 * TypeScript type expressions as the schema walk builds them: text plus binding precedence, so that unions
 * and intersections are flattened, simplified and parenthesized correctly (`(string | null)[]`).
 */

/** Precedence of an emitted type, to know when it needs parentheses. */
export const UNION = 0;
export const INTERSECTION = 1;
export const ATOM = 2;

/** A type expression. */
export interface Emitted {
  text: string;
  prec: number;
  /** Members of a union, for flattening. */
  members?: readonly Emitted[];
  /** A plain object literal `{ … }`. */
  object?: boolean;
}

export const UNKNOWN: Emitted = { text: "unknown", prec: ATOM };
export const NEVER: Emitted = { text: "never", prec: ATOM };
export const NULL: Emitted = { text: "null", prec: ATOM };

/** `type` as a member of a construct binding at `prec`: parenthesized when it binds more loosely. */
export function paren(type: Emitted, prec: number): string {
  return type.prec < prec ? `(${type.text})` : type.text;
}

/** Flattened, deduplicated union; `unknown` absorbs everything, `never` disappears. */
export function union(types: readonly Emitted[]): Emitted {
  const members: Emitted[] = [];
  const seen = new Set<string>();
  for (const type of types) {
    if (type.text === "unknown") return UNKNOWN;
    if (type.text === "never") continue;
    for (const member of type.members ?? [type]) {
      if (!seen.has(member.text)) {
        seen.add(member.text);
        members.push(member);
      }
    }
  }
  if (members.length === 0) return NEVER;
  if (members.length === 1) return members[0]!;
  return { text: members.map((m) => m.text).join(" | "), prec: UNION, members };
}

/** Deduplicated intersection; `unknown` disappears, `never` absorbs everything, none at all is `unknown`. */
export function intersection(types: readonly Emitted[]): Emitted {
  const kept: Emitted[] = [];
  const seen = new Set<string>();
  for (const type of types) {
    if (type.text === "never") return NEVER;
    if (type.text === "unknown" || seen.has(type.text)) continue;
    seen.add(type.text);
    kept.push(type);
  }
  if (kept.length === 0) return UNKNOWN;
  if (kept.length === 1) return kept[0]!;
  return { text: kept.map((t) => paren(t, INTERSECTION)).join(" & "), prec: INTERSECTION };
}
