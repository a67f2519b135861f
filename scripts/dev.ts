/**
 * `npm run dev`: `wrangler dev` with the same arguments (`--port`, `--ip`, any other flag), listening where
 * `[dev]` in wrangler.toml says unless a flag says otherwise. With authentication off it refuses to listen beyond
 * loopback (scripts/auth-exposure.ts).
 */
import { checkDevListen } from "./auth-exposure";
import { flagValue, readWranglerConfig, runWrangler } from "./wrangler-config";

const args = process.argv.slice(2);
const config = readWranglerConfig(args);
// wrangler's own default when neither --ip nor [dev] ip is given.
const ip = flagValue(args, ["--ip"]) ?? config.dev?.ip ?? "localhost";
runWrangler("dev", args, checkDevListen(ip, config.vars?.GATEWAY_CONFIG));
