/**
 * @module sandbox/prepare-network
 * Imports of network modules (`cloudflare:sockets` for `connect()`, Node's `net`, `http`, …) get the reason they
 * cannot work, not just "no such module": the sandbox has no network, and tools are the way out. Its runtime twin,
 * for `fetch()` and `connect()` called without an import, is worker-loader/no-network.js.
 */

const NETWORK_MODULES = new Set([
  "cloudflare:sockets",
  ...["net", "http", "https", "http2", "tls", "dgram", "dns"].flatMap((name) => [name, `node:${name}`]),
]);

/** The explanation for importing `specifier`, when it names a network module; undefined otherwise. */
export function networkImportProblem(specifier: string): string | undefined {
  if (!NETWORK_MODULES.has(specifier)) return undefined;
  return (
    `Cannot import "${specifier}": the sandbox has no network. Reach the outside through tools: import them from ` +
    `"servers/<name>" (search_tools finds them), e.g. import { read_file } from "servers/workspace".`
  );
}
