/**
 * @module sandbox/prepare-strip
 * TypeScript to JavaScript with sucrase, keeping every line on its line so stack traces and later errors point at
 * the agent's own line numbers. Plain JavaScript passes through unchanged apart from whitespace.
 */
import { type Options, transform } from "sucrase";
import { createOffsetMapper } from "./prepare-source-map";

/** A problem found while stripping, located by an offset into the original code. */
export interface StripProblem {
  message: string;
  offset?: number;
}

/** The stripped code, or why it could not be produced. */
export type StripResult =
  | { ok: true; code: string; toOriginal: (offset: number) => number }
  | { ok: false; problem: StripProblem; tooDeep?: boolean };

const SUCRASE_OPTIONS: Options = {
  transforms: ["typescript"],
  // Modern workerd runs ES2022+ natively; transforming class fields etc. would only cost time.
  disableESTransforms: true,
  // Unused imports are validated (and rejected if wrong) instead of silently dropped.
  keepUnusedImports: true,
};

/** A runtime namespace (`namespace N { … }`), which sucrase silently deletes together with its values. */
const NAMESPACE = /^[ \t]*(?:export[ \t]+)?(namespace|module)[ \t]+[A-Za-z_$][\w$.]*[ \t]*\{/gm;

/** Is this error the engine running out of stack (deeply nested input), rather than a bug? */
export function isStackOverflow(error: unknown): boolean {
  if (error instanceof RangeError) return /call stack|too much recursion/i.test(error.message);
  // Acorn catches its own overflow and rethrows it as a SyntaxError.
  return error instanceof SyntaxError && /stack space/i.test(error.message);
}

/** Sucrase and acorn append "(line:column)" to messages; the caller reports locations itself. */
export function bareMessage(message: string): string {
  return message.replace(/\s*\(\d+:\d+\)\s*$/, "");
}

/** Finds namespaces that sucrase removed (their line no longer mentions the keyword in the output). */
function findDroppedNamespace(original: string, stripped: string): number | undefined {
  if (!/\b(?:namespace|module)\b/.test(original)) return undefined;
  const outLines = stripped.split("\n");
  for (const match of original.matchAll(NAMESPACE)) {
    const keyword = match[1]!;
    const offset = match.index + match[0].indexOf(keyword);
    const line = original.slice(0, offset).split("\n").length - 1;
    if (!(outLines[line] ?? "").includes(keyword)) return offset;
  }
  return undefined;
}

/** Strips TypeScript syntax from `code`. */
export function stripTypes(code: string): StripResult {
  let stripped: string;
  try {
    stripped = transform(code, SUCRASE_OPTIONS).code;
  } catch (error) {
    if (isStackOverflow(error)) return { ok: false, tooDeep: true, problem: { message: "nesting too deep" } };
    const err = error as { message?: unknown; pos?: unknown };
    const message = typeof err.message === "string" ? bareMessage(err.message) : String(error);
    return { ok: false, problem: typeof err.pos === "number" ? { message, offset: err.pos } : { message } };
  }
  const dropped = findDroppedNamespace(code, stripped);
  if (dropped !== undefined) {
    return {
      ok: false,
      problem: {
        message: "TypeScript namespaces are not supported (their code would be lost); use a plain object instead",
        offset: dropped,
      },
    };
  }
  let mapper: ((offset: number) => number) | undefined;
  const toOriginal = (offset: number): number => {
    if (stripped === code) return offset;
    // Built lazily: only error paths need it, and it costs a second transform.
    if (!mapper) {
      const { sourceMap } = transform(code, {
        ...SUCRASE_OPTIONS,
        filePath: "agent.ts",
        sourceMapOptions: { compiledFilename: "agent.js" },
      });
      mapper = createOffsetMapper(code, stripped, sourceMap?.mappings ?? "");
    }
    return mapper(offset);
  };
  return { ok: true, code: stripped, toOriginal };
}
