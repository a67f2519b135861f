/**
 * @module bench/lib/cleanup
 * Everything the bench starts (workerd through wrangler, upstream child processes) is registered here and stopped
 * in reverse order, on success, on a crash, on Ctrl-C, and by the watchdog that bounds the whole run.
 */

type Stop = () => Promise<void>;

const stack: Array<{ label: string; stop: Stop }> = [];

/** Registers something to stop; the returned function stops it now (and unregisters it). */
export function track(label: string, stop: Stop): () => Promise<void> {
  const entry = { label, stop };
  stack.push(entry);
  return async () => {
    const i = stack.indexOf(entry);
    if (i < 0) return;
    stack.splice(i, 1);
    await stop();
  };
}

/** Starts something, registers its stop, runs `use`, and stops it whatever happens. */
export async function using<T extends { stop?: Stop; dispose?: Stop }, R>(
  label: string,
  start: () => Promise<T>,
  use: (resource: T) => Promise<R>,
): Promise<R> {
  const resource = await start();
  const stop = track(label, () => (resource.dispose ?? resource.stop)!.call(resource));
  try {
    return await use(resource);
  } finally {
    await stop();
  }
}

/** Stops everything still registered, newest first; failures are reported, never thrown. */
export async function stopAll(): Promise<void> {
  while (stack.length > 0) {
    const { label, stop } = stack.pop()!;
    try {
      await stop();
    } catch (err) {
      console.error(`bench: stopping ${label} failed: ${(err as Error).message}`);
    }
  }
}
