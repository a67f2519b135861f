/**
 * @module registry/connect
 * Opens the connection for a configured upstream. External servers use the network (`fetch`); built-in ones
 * (`builtin:<name>`) use a fetch that calls this Worker's own `BuiltinServers` entrypoint through `ctx.exports`,
 * with the user in its props, so they run exactly like any upstream without a network hop.
 */
import { BUILTIN_URL_PREFIX, type ServerConfig } from "../config";
import { UpstreamConnection } from "./upstream";

/** The host name built-in servers are addressed by; it never leaves the Worker. */
export const BUILTIN_HOST = "builtin.codemode-gateway.internal";

interface BuiltinExports {
  BuiltinServers(options: { props: { user: string } }): Fetcher;
}

export function connectUpstream(
  config: ServerConfig,
  deps: { env: Record<string, unknown>; exports: unknown; user: string },
): UpstreamConnection {
  if (config.url.startsWith(BUILTIN_URL_PREFIX)) {
    const name = config.url.slice(BUILTIN_URL_PREFIX.length);
    const builtin = (deps.exports as BuiltinExports).BuiltinServers({ props: { user: deps.user } });
    return new UpstreamConnection(config, {
      env: deps.env,
      url: new URL(`https://${BUILTIN_HOST}/servers/${encodeURIComponent(name)}/mcp`),
      fetch: (input, init) => builtin.fetch(new Request(input, init)),
    });
  }
  return new UpstreamConnection(config, {
    env: deps.env,
    url: new URL(config.url),
    fetch: (input, init) => fetch(input, init),
  });
}
