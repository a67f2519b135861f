/**
 * A local `CONNECTIONS_KEY` for `npm run dev`, so users' own servers that hold credentials (OAuth tokens, header
 * secrets) work on the first start, as the rest of the gateway does. The key goes to `.dev.vars` (gitignored, where
 * wrangler reads local secrets) and is kept there: the same key opens what earlier runs sealed in `.wrangler/state`.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What ensureDevConnectionsKey did, as one line to print (undefined when there was nothing to do). */
export type DevKeyOutcome = { wrote?: string; note?: string };

const defines = (file: string) => /^\s*(?:export\s+)?CONNECTIONS_KEY\s*=/m.test(readFileSync(file, "utf8"));

/**
 * Adds `CONNECTIONS_KEY=<64 hex digits>` to the vars file wrangler dev will read in `dir` (`.dev.vars.<env>` when
 * that exists, else `.dev.vars`) unless it defines one already. When neither exists but a `.env` file does, wrangler
 * reads that instead, and a new `.dev.vars` would hide it: then nothing is written and the note says what to add.
 */
export function ensureDevConnectionsKey(dir: string, env?: string): DevKeyOutcome {
  const envFile = env ? join(dir, `.dev.vars.${env}`) : undefined;
  const file = envFile && existsSync(envFile) ? envFile : join(dir, ".dev.vars");
  if (existsSync(file)) {
    if (defines(file)) return {};
  } else {
    // wrangler's default .env files (without a .dev.vars it reads these, later ones winning).
    const names = [".env", ".env.local", ...(env ? [`.env.${env}`, `.env.${env}.local`] : [])];
    const dotenvs = names.map((n) => join(dir, n)).filter((f) => existsSync(f));
    if (dotenvs.length > 0) {
      if (dotenvs.some(defines)) return {};
      return {
        note: "no CONNECTIONS_KEY in .env: users' servers with credentials (OAuth, header secrets) are refused until you add CONNECTIONS_KEY=<output of openssl rand -hex 32> and restart",
      };
    }
  }
  const line = `CONNECTIONS_KEY=${randomBytes(32).toString("hex")}\n`;
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    appendFileSync(file, text === "" || text.endsWith("\n") ? line : `\n${line}`);
  } else {
    writeFileSync(
      file,
      `# Local secrets for wrangler dev (gitignored). CONNECTIONS_KEY seals users' server credentials.\n${line}`,
      {
        mode: 0o600,
      },
    );
  }
  return { wrote: file };
}
