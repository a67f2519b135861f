/**
 * What `npm run deploy` says about the configuration it is about to publish: authentication off is either a
 * gateway that refuses everyone (mode "none" serves only loopback clients, src/auth/local-only.ts) or, with
 * `allow_unauthenticated = true`, unauthenticated code execution for anyone who finds the URL. Both deserve a
 * word before the upload; a configuration the gateway cannot load stops it.
 */
import { loadConfig } from "../src/config";

export interface DeployCheck {
  /** Stop before deploying (the gateway would answer every request with a configuration error). */
  error?: string;
  warnings: string[];
}

/** Checks `vars.GATEWAY_CONFIG` as wrangler would upload it. */
export function checkDeployConfig(gatewayConfig: unknown): DeployCheck {
  const loaded = loadConfig(gatewayConfig);
  if (!loaded.ok)
    return { error: `GATEWAY_CONFIG cannot be loaded, fix it before deploying: ${loaded.error}`, warnings: [] };
  const { auth } = loaded.config;
  if (auth.mode !== "none") return { warnings: [] };
  if (auth.allow_unauthenticated) {
    return {
      warnings: [
        'GATEWAY_CONFIG has auth = { mode = "none", allow_unauthenticated = true }: the deployed gateway serves the ' +
          'public WITHOUT AUTHENTICATION. Anyone who finds its URL runs code as user "local", with that user\'s ' +
          'workspace, skills and every upstream credential. Set auth.mode = "api_keys" or "oauth" (README "Deploy") ' +
          "unless that is what you want.",
      ],
    };
  }
  return {
    warnings: [
      'GATEWAY_CONFIG has no authentication (auth.mode = "none"): the deployed gateway will answer every MCP ' +
        "request with 403, because without authentication it serves only clients on the same machine. Set " +
        'auth.mode = "api_keys" or "oauth" (README "Deploy"), or allow_unauthenticated = true to serve everyone.',
    ],
  };
}
