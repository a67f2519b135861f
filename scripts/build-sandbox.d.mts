/** One sandbox module's source, minified as scripts/build-sandbox.mjs ships it. */
export function minifySandboxModule(name: string, source: string): string;
/** The source of a sandbox module as written (worker-loader/<name>). */
export function sandboxModuleSource(name: string): string;
