// Bundles the Worker once for a test run, exactly as `wrangler dev` bundles it (wrangler's own dev bundler, from
// wrangler.toml: the same esbuild settings, module rules, dev middleware and NODE_ENV), and writes the bundle to a
// folder: the entry module, its source map, the Text modules it imports (the checker's module, shipped skills) and
// manifest.json. The tests' gateways then start from it with no bundling (test/support/worker-build.ts); without the
// folder each of the suite's ~100 gateway starts would bundle the Worker again (about 1.1 s of esbuild CPU each).
// Expects wrangler's custom build ([build] in wrangler.toml) to have run already: the Worker imports its output.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { unstable_DevEnv } from "wrangler";

/** The folder's manifest (entry and modules), read by test/support/worker-build.ts. */
const MANIFEST = "manifest.json";
const TIMEOUT_MS = 120_000;

/**
 * wrangler's dev server up to its bundle, handed to `use` before wrangler removes its files: the runtime that would
 * run the bundle is replaced by one that hands it over, so no Worker starts (wrangler emits the bundle as an event to
 * its runtimes, DevEnv's runtimeFactories).
 */
async function withDevBundle(use) {
  let settle;
  const bundled = new Promise((resolveBundle, reject) => {
    settle = { resolveBundle, reject };
  });
  // A failure before the bundle is awaited (wrangler's config refused) is reported by startWorker itself.
  bundled.catch(() => {});
  const handOver = {
    onBundleStart() {},
    onBundleComplete(event) {
      settle.resolveBundle(event.bundle);
    },
    onPreviewTokenExpired() {},
    async teardown() {},
  };
  const devEnv = new unstable_DevEnv({ runtimeFactories: [() => handOver] });
  devEnv.on("buildFailed", (event) => settle.reject(new Error(`bundling the Worker failed: ${event.reason}`)));
  devEnv.on("error", (event) => settle.reject(event instanceof Error ? event : new Error(String(event?.reason))));
  const state = mkdtempSync(join(tmpdir(), "cg-bundle-state-"));
  const timer = setTimeout(() => settle.reject(new Error(`no bundle after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  try {
    // The options test/support/gateway.ts starts the gateway with, up to the bundle: the custom build already ran.
    const worker = await devEnv.startWorker({
      config: "wrangler.toml",
      build: { custom: { command: "" } },
      envFiles: [join(state, "no-dev-vars")],
      dev: {
        server: { hostname: "127.0.0.1", port: 0 },
        inspector: false,
        persist: state,
        watch: false,
        logLevel: "warn",
      },
    });
    try {
      return use(await bundled);
    } finally {
      await worker.dispose();
    }
  } finally {
    clearTimeout(timer);
    rmSync(state, { recursive: true, force: true });
  }
}

/**
 * Writes the Worker's dev bundle to a new folder under the system's temporary folder and returns its path. The folder
 * is complete before the path is returned, and only the caller's run uses it: the caller removes it.
 */
export function bundleWorkerForTests() {
  return withDevBundle(writeBundle);
}

/** The Worker's entry module in the folder: it re-exports the bundle's, see writeBundle. */
const ENTRY = "worker.js";
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function writeBundle(bundle) {
  if (bundle.type !== "esm") throw new Error(`expected an ES module bundle, got ${bundle.type}`);
  const names = bundle.entry.exports;
  const odd = names.find((name) => !IDENTIFIER.test(name));
  if (odd !== undefined) throw new Error(`the Worker's entry exports a name the bundle cannot re-export: ${odd}`);
  const out = mkdtempSync(join(tmpdir(), "cg-worker-bundle-"));
  try {
    const bundled = basename(bundle.path);
    if (bundled === ENTRY) throw new Error(`the bundle's file is named ${ENTRY}, the name of the entry written here`);
    writeFileSync(join(out, bundled), bundle.entrypointSource);
    // The bundle names its source map in a sourceMappingURL comment; wrangler reads it from there.
    if (bundle.sourceMapPath) {
      const map = resolve(bundle.sourceMapMetadata?.entryDirectory ?? process.cwd(), bundle.sourceMapPath);
      copyFileSync(map, join(out, basename(map)));
    }
    const modules = [{ name: `./${bundled}`, type: "esm" }];
    for (const module of bundle.modules) {
      const file = resolve(out, module.name);
      if (dirname(file) !== out) throw new Error(`unexpected module name in the bundle: ${module.name}`);
      writeFileSync(file, module.content);
      modules.push({ name: module.name, type: module.type });
    }
    // wrangler gives workerd the entry's exports as the Worker's entrypoints (ctx.exports), and reads them from the
    // entry module. `wrangler dev` reads them from src/index.ts; the bundle adds one of its own (its dev middleware
    // list). An entry that re-exports exactly the source's names gives workerd the same entrypoints, and wrangler
    // reads them from a one-line module instead of the 4 MB bundle.
    writeFileSync(
      join(out, ENTRY),
      "// GENERATED by scripts/bundle-worker.mjs: the Worker's exports, as `wrangler dev` reads them from src/.\n" +
        `export { ${names.join(", ")} } from "./${bundled}";\n`,
    );
    writeFileSync(join(out, MANIFEST), JSON.stringify({ entry: ENTRY, modules }, null, 2));
    return out;
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
}
