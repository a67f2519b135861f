/**
 * `npm run dev`: `wrangler dev` with the same arguments (`--port`, `--ip`, any other flag), listening where
 * `[dev]` in wrangler.toml says unless a flag says otherwise. With authentication off it refuses to listen beyond
 * loopback (scripts/auth-exposure.ts). It writes a local CONNECTIONS_KEY to `.dev.vars` when none is set
 * (scripts/dev-vars.ts). wrangler's local request traces are off unless X_LOCAL_OBSERVABILITY is set
 * (scripts/local-traces.mjs).
 */
import { dirname } from "node:path";
import { checkDevListen } from "./auth-exposure";
import { ensureDevConnectionsKey } from "./dev-vars";
import { quietLocalTraces } from "./local-traces.mjs";
import { flagValue, readWranglerConfig, runWrangler } from "./wrangler-config";

const args = process.argv.slice(2);
const config = readWranglerConfig(args);
// wrangler's own default when neither --ip nor [dev] ip is given.
const ip = flagValue(args, ["--ip"]) ?? config.dev?.ip ?? "localhost";
const check = checkDevListen(ip, config.vars?.GATEWAY_CONFIG);
// With --env-file, wrangler reads only the files named there: the user chose where secrets live.
if (!check.error && flagValue(args, ["--env-file"]) === undefined) {
  const key = ensureDevConnectionsKey(
    config.configPath ? dirname(config.configPath) : process.cwd(),
    flagValue(args, ["--env", "-e"]),
  );
  if (key.wrote)
    console.log(`codemode-gateway: wrote a new local CONNECTIONS_KEY to ${key.wrote} (README "CONNECTIONS_KEY")`);
  if (key.note) console.log(`codemode-gateway: ${key.note}`);
}
// wrangler's own per-request traces cost a fifth to a third of a warm execution (scripts/local-traces.mjs).
quietLocalTraces();
runWrangler("dev", args, check);
