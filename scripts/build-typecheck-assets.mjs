#!/usr/bin/env node
// Produces the type checker's static assets (wrangler [assets], gitignored): the TypeScript compiler as an ES
// module, the library declarations it checks against, and a manifest whose version names the checker isolate.
// wrangler runs this as its custom build before `dev`, `deploy` and the tests' `unstable_startWorker`, so the
// folder always matches the installed compiler. The compiler stays out of the main Worker bundle: the Worker reads
// these files through its assets binding only when it starts the checker isolate.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".typecheck-assets");
const require = createRequire(join(root, "package.json"));
const tsDir = dirname(require.resolve("typescript/lib/typescript.js"));
const { version } = JSON.parse(readFileSync(join(tsDir, "..", "package.json"), "utf8"));

/** The newest library the sandbox's runtime fully supports; its references pull in the older ones. */
const ROOT_LIB = "es2023";
/**
 * Type-level work is bounded by the compiler's own instantiation limit (5,000,000 per statement), which costs seconds
 * of CPU and, locally, stalls every isolate on the shared thread. A model's program never needs a fraction of it.
 */
const INSTANTIATION_LIMIT = 200_000;

const source = readFileSync(join(tsDir, "typescript.js"), "utf8");
const libs = {};
const pending = [ROOT_LIB];
while (pending.length) {
  const name = pending.pop();
  if (Object.hasOwn(libs, name)) continue;
  const text = readFileSync(join(tsDir, `lib.${name}.d.ts`), "utf8");
  libs[name] = text;
  for (const m of text.matchAll(/\/\/\/\s*<reference\s+lib="([^"]+)"\s*\/>/g)) pending.push(m[1]);
}

const limitText = "instantiationCount >= 5e6";
if (!source.includes(limitText)) throw new Error(`typescript ${version}: "${limitText}" not found; update this script`);
// typescript.js is a script that assigns `var ts`; as an ES module it has no `module`, so it keeps `ts` to itself.
const compiler = `${source
  .replace(limitText, `instantiationCount >= ${INSTANTIATION_LIMIT}`)
  .replace(/\/\/# sourceMappingURL=\S+\s*$/, "")}\nexport default ts;\n`;
const libsJson = JSON.stringify({ root: ROOT_LIB, files: libs });
const hash = createHash("sha256").update(compiler).update(libsJson).digest("hex").slice(0, 16);
const manifest = JSON.stringify({ typescript: version, version: hash, compiler_bytes: compiler.length });

const manifestPath = join(out, "manifest.json");
if (existsSync(manifestPath) && readFileSync(manifestPath, "utf8") === manifest) process.exit(0);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "typescript.js"), compiler);
writeFileSync(join(out, "libs.json"), libsJson);
writeFileSync(manifestPath, manifest);
console.log(`typecheck assets: typescript ${version}, ${Object.keys(libs).length} lib files, version ${hash}`);
