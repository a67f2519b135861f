/**
 * `npm run deploy`: says what a configuration without authentication would publish (scripts/auth-exposure.ts),
 * then runs `wrangler deploy` with the same arguments, e.g. `npm run deploy -- --dry-run`.
 */
import { checkDeployConfig } from "./auth-exposure";
import { readWranglerConfig, runWrangler } from "./wrangler-config";

const args = process.argv.slice(2);
runWrangler("deploy", args, checkDeployConfig(readWranglerConfig(args).vars?.GATEWAY_CONFIG));
