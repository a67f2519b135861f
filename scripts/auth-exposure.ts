/**
 * What the npm scripts say about a configuration without authentication before wrangler runs. Mode "none" serves
 * only clients on the same machine (src/auth/local-only.ts), so:
 * - `npm run deploy` of mode "none" publishes a gateway that refuses everyone, and with
 *   `allow_unauthenticated = true` one that runs anyone's code: both deserve a word before the upload;
 * - `npm run dev -- --ip 0.0.0.0` with mode "none" would serve no LAN client honestly, yet let in one that forges
 *   `CF-Connecting-IP` (wrangler dev keeps a client's own), so it is refused.
 * A configuration the gateway cannot load stops either.
 */
import { type AuthConfig, loadConfig } from "../src/config";
import { classifyHost } from "../src/registry/ssrf";

export interface ExposureCheck {
  /** Stop before running wrangler, with this message. */
  error?: string;
  warnings: string[];
}

function authOf(gatewayConfig: unknown, doing: string): AuthConfig | string {
  const loaded = loadConfig(gatewayConfig);
  return loaded.ok ? loaded.config.auth : `GATEWAY_CONFIG cannot be loaded, fix it before ${doing}: ${loaded.error}`;
}

/** Checks `vars.GATEWAY_CONFIG` as wrangler would upload it. */
export function checkDeployConfig(gatewayConfig: unknown): ExposureCheck {
  const auth = authOf(gatewayConfig, "deploying");
  if (typeof auth === "string") return { error: auth, warnings: [] };
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

/** Whether `wrangler dev --ip <ip>` listens on loopback only (`localhost`, 127.0.0.0/8, ::1). */
export function isLoopbackListen(ip: string): boolean {
  return classifyHost(ip.includes(":") && !ip.startsWith("[") ? `[${ip}]` : ip).kind === "loopback";
}

/** Checks the address `wrangler dev` will listen on against the configuration's authentication. */
export function checkDevListen(ip: string, gatewayConfig: unknown): ExposureCheck {
  if (isLoopbackListen(ip)) return { warnings: [] };
  const auth = authOf(gatewayConfig, "listening on another interface");
  if (typeof auth === "string") return { error: auth, warnings: [] };
  if (auth.mode !== "none") return { warnings: [] };
  if (auth.allow_unauthenticated) {
    return {
      warnings: [
        `listening on ${ip} WITHOUT AUTHENTICATION (allow_unauthenticated = true): anyone who can reach this ` +
          'machine runs code as user "local".',
      ],
    };
  }
  return {
    error:
      `refusing to listen on ${ip}: authentication is off (auth.mode = "none"), so the gateway serves only clients ` +
      "on this machine, and on another interface wrangler dev would let in a client that forges its address " +
      '(CF-Connecting-IP). Turn authentication on (auth.mode = "api_keys" or "oauth", README "Deploy"), set ' +
      'auth = { mode = "none", allow_unauthenticated = true } to serve everyone who can reach it, or leave out --ip ' +
      "(127.0.0.1).",
    warnings: [],
  };
}
