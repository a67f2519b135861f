/**
 * `npm run deploy`: checks the configuration wrangler is about to publish (scripts/deploy-check.ts), says what an
 * unauthenticated one would do, then runs `wrangler deploy` with the same arguments.
 * Usage: npm run deploy [-- <wrangler deploy flags>], e.g. `npm run deploy -- --dry-run`.
 */
import { spawn } from "node:child_process";
import { unstable_readConfig } from "wrangler";
import { checkDeployConfig } from "./deploy-check";

const args = process.argv.slice(2);

/** The value of `--name value` or `--name=value` among wrangler's arguments. */
function flag(names: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const name of names) {
      if (arg === name) return args[i + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

const config = unstable_readConfig({ config: flag(["--config", "-c"]), env: flag(["--env", "-e"]) });
const check = checkDeployConfig(config.vars?.GATEWAY_CONFIG);
for (const warning of check.warnings) console.warn(`\n▲ codemode-gateway: ${warning}\n`);
if (check.error) {
  console.error(`\n✘ codemode-gateway: ${check.error}\n`);
  process.exit(1);
}

const child = spawn("wrangler", ["deploy", ...args], { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
