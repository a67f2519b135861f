/**
 * The wrangler configuration a `wrangler dev` or `wrangler deploy` command line will use (its `--config` and
 * `--env`), read with wrangler's own reader, for the checks the npm scripts run first (scripts/auth-exposure.ts).
 */
import { spawn } from "node:child_process";
import { unstable_readConfig } from "wrangler";

/** The value of `--name value` or `--name=value` among command-line arguments. */
export function flagValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const name of names) {
      if (arg === name) return args[i + 1];
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    }
  }
  return undefined;
}

/** The configuration wrangler would read for these arguments. */
export function readWranglerConfig(args: readonly string[]): ReturnType<typeof unstable_readConfig> {
  return unstable_readConfig({ config: flagValue(args, ["--config", "-c"]), env: flagValue(args, ["--env", "-e"]) });
}

/** Prints the check's warnings, exits on its error, or runs `wrangler <command> <args>` and exits as it does. */
export function runWrangler(
  command: string,
  args: readonly string[],
  check: { error?: string; warnings: string[] },
): void {
  for (const warning of check.warnings) console.warn(`\n▲ codemode-gateway: ${warning}\n`);
  if (check.error) {
    console.error(`\n✘ codemode-gateway: ${check.error}\n`);
    process.exit(1);
  }
  const child = spawn("wrangler", [command, ...args], { stdio: "inherit" });
  // Ctrl-C reaches wrangler through the terminal's process group; a signal sent to this script alone is passed on.
  for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  process.on("SIGINT", () => {});
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
