/** Bindings of the bench Worker (bench/wrangler.bench.toml): the gateway's own plus the bench session object. */
import type { Env } from "../../src/env";
import type { BenchSession } from "./bench-session";

export interface BenchEnv extends Env {
  BENCH: DurableObjectNamespace<BenchSession>;
}
