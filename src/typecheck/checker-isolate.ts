/**
 * @module typecheck/checker-isolate
 * Reaches the checker isolate: the TypeScript compiler (~9 MB) and its library declarations are static assets
 * (scripts/build-typecheck-assets.mjs), not part of the Worker bundle; they are read only when the isolate is
 * (re)created. `LOADER.get` with an id naming the compiler and checker versions keeps one isolate warm across
 * checks; the runtime may evict it, so the first check after a start gets the cold budget.
 */
import checkerSource from "../../worker-loader/typecheck.js";
import type { CheckReply, CheckRequest } from "./typecheck-types";

/** Compatibility date of the checker isolate; kept equal to the Worker's own (wrangler.toml). */
const CHECKER_COMPATIBILITY_DATE = "2026-11-01";

/** What the checker needs from the Worker. */
export interface CheckerBindings {
  loader: WorkerLoader;
  /** The `[assets]` binding serving .typecheck-assets. */
  assets: Fetcher;
}

/** Budgets of one check. */
export interface CheckerBudget {
  /** Production CPU limit of the checker isolate (local workerd ignores it). */
  cpuMs: number;
  /** Wall-clock budget when the isolate is already running. */
  warmMs: number;
  /** Wall-clock budget when the isolate has to be created (reading and compiling the compiler). */
  coldMs: number;
}

interface Manifest {
  typescript: string;
  version: string;
}

let manifest: Promise<Manifest> | undefined;

/** FNV-1a of the checker's source: a new checker gets a new isolate id, so a stale warm isolate is never reused. */
function sourceHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
const CHECKER_HASH = sourceHash(checkerSource);

async function asset(assets: Fetcher, path: string): Promise<Response> {
  const response = await assets.fetch(`https://typecheck-assets${path}`);
  if (!response.ok) {
    throw new Error(
      `type checker asset ${path} is missing (${response.status}); run scripts/build-typecheck-assets.mjs`,
    );
  }
  return response;
}

function readManifest(assets: Fetcher): Promise<Manifest> {
  manifest ??= asset(assets, "/manifest.json")
    .then((r) => r.json() as Promise<Manifest>)
    .catch((err) => {
      manifest = undefined;
      throw err;
    });
  return manifest;
}

/** The outcome of one call to the checker: its reply, or why there is none (never a throw). */
export type CheckerOutcome = { ok: true; reply: CheckReply; cold: boolean; ms: number } | { ok: false; reason: string };

/** Sends one program to the checker isolate, creating it when needed, within the budget. */
export async function runChecker(
  bindings: CheckerBindings,
  request: CheckRequest,
  budget: CheckerBudget,
): Promise<CheckerOutcome> {
  const started = Date.now();
  let cold = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const { version } = await readManifest(bindings.assets);
    const worker = bindings.loader.get(`typecheck-${version}-${CHECKER_HASH}`, async () => {
      cold = true;
      const [compiler, libs] = await Promise.all([
        asset(bindings.assets, "/typescript.js").then((r) => r.text()),
        asset(bindings.assets, "/libs.json").then((r) => r.json()),
      ]);
      return {
        compatibilityDate: CHECKER_COMPATIBILITY_DATE,
        compatibilityFlags: ["no_nodejs_compat"],
        mainModule: "typecheck.js",
        modules: { "typecheck.js": checkerSource, "typescript.js": compiler, "libs.json": { json: libs } },
        globalOutbound: null,
        limits: { cpuMs: budget.cpuMs },
      };
    });
    const entrypoint = worker.getEntrypoint() as unknown as { check(request: CheckRequest): Promise<CheckReply> };
    const deadline = new Promise<"timeout">((resolve) => {
      const tick = () => {
        const left = started + (cold ? budget.coldMs : budget.warmMs) - Date.now();
        if (left <= 0) resolve("timeout");
        else timer = setTimeout(tick, left);
      };
      timer = setTimeout(tick, budget.warmMs);
    });
    const reply = await Promise.race([entrypoint.check(request), deadline]);
    if (reply === "timeout") {
      return { ok: false, reason: `the checker took longer than ${cold ? budget.coldMs : budget.warmMs} ms` };
    }
    return { ok: true, reply, cold, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, reason: String((err as Error)?.message ?? err).slice(0, 500) };
  } finally {
    clearTimeout(timer);
  }
}
