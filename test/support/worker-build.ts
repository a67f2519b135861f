/**
 * How the tests' gateways get the Worker's code from wrangler (test/support/gateway.ts). Under scripts/run-tests.mjs:
 * the custom build ran once for the run, and the Worker was bundled once, as `wrangler dev` bundles it
 * (scripts/bundle-worker.mjs); each gateway starts from that bundle as is. A test file run on its own, without the
 * runner, builds and bundles as `npm run dev` does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Set by scripts/run-tests.mjs once it has run wrangler's custom build for the whole suite. */
const PREBUILT_ENV = "CODEMODE_TEST_PREBUILT";
/** Set by scripts/run-tests.mjs to the folder where it bundled the Worker for the run (scripts/bundle-worker.mjs). */
const BUNDLE_ENV = "CODEMODE_TEST_WORKER_BUNDLE";

interface Prebundled {
  entrypoint: string;
  modules: { name: string; type: "esm" | "text"; content: string }[];
}
let prebundled: Prebundled | undefined;

/** The run's Worker bundle, read once per test process; undefined when the file runs without the runner. */
function runBundle(): Prebundled | undefined {
  const dir = process.env[BUNDLE_ENV];
  if (!dir) return undefined;
  if (!prebundled) {
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    prebundled = {
      entrypoint: join(dir, manifest.entry),
      modules: manifest.modules.map((m: Prebundled["modules"][number]) => {
        if (m.type !== "esm" && m.type !== "text") throw new Error(`the run's Worker bundle has a ${m.type} module`);
        return { name: m.name, type: m.type, content: readFileSync(join(dir, m.name), "utf8") };
      }),
    };
  }
  return prebundled;
}

/**
 * How wrangler gets the Worker's code. With the runner: the bundle it made once for the run, as `wrangler dev` makes
 * it, started as is (no custom build, no bundling: about 1.1 s of esbuild CPU per start). Without it: as `npm run dev`
 * does.
 */
export function buildOptions(): Record<string, unknown> {
  const bundle = runBundle();
  if (bundle) {
    return {
      entrypoint: bundle.entrypoint,
      build: {
        custom: { command: "" },
        bundle: false,
        findAdditionalModules: false,
        additionalModules: bundle.modules,
      },
    };
  }
  // scripts/run-tests.mjs runs wrangler's custom build (the sandbox's modules, the checker's assets) once before the
  // suite; without this each gateway would run it again (about 1.3 s each).
  return process.env[PREBUILT_ENV] === "1" ? { build: { custom: { command: "" } } } : {};
}
