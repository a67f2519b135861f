/**
 * Real upstream MCP servers for tests, started as child processes on 127.0.0.1 and stopped by process id.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const LOOPBACK_ONLY = fileURLToPath(new URL("./loopback-only.mjs", import.meta.url));

export interface Upstream {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`upstream exited early with code ${child.exitCode}`);
    try {
      await fetch(url, { method: "GET" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`upstream at ${url} did not start within ${timeoutMs} ms`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      // A child ended by a signal has exitCode null and signalCode set: both mean it is gone.
      const gone = () => child.exitCode !== null || child.signalCode !== null;
      if (gone() || child.pid === undefined) return resolve();
      const timer = setTimeout(() => {
        if (!gone() && child.pid) process.kill(child.pid, "SIGKILL");
      }, 3_000).unref();
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      process.kill(child.pid, "SIGTERM");
    });
}

/** Starts a Node script as an upstream with PORT set (a free one unless given), pinned to loopback. */
export async function startNodeUpstream(
  script: string,
  args: string[],
  path = "/mcp",
  fixedPort?: number,
): Promise<Upstream> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(process.execPath, ["--import", LOOPBACK_ONLY, script, ...args], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr = (stderr + d).slice(-4_000);
  });
  const url = `http://127.0.0.1:${port}${path}`;
  try {
    await waitForHttp(url, child, 20_000);
  } catch (err) {
    await stopper(child)();
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return { url, port, stop: stopper(child) };
}

/** `@modelcontextprotocol/server-everything` over Streamable HTTP. */
export function startEverything(): Promise<Upstream> {
  const script = fileURLToPath(
    new URL("../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url),
  );
  return startNodeUpstream(script, ["streamableHttp"]);
}
