/**
 * Writing one huge answer by hand, as a real server writes a big result: a head, filler 64 KB at a time until `size`
 * bytes, then a tail, waiting for the socket to drain and stopping when the client hangs up. Records, by kind, how
 * much was written and whether the client cut it off, for the upstreams of the size tests (upstream-faults.test.ts,
 * huge-sse-upstream.ts).
 */
import type { ServerResponse } from "node:http";

export class HugeWrites {
  readonly #records = new Map<string, { bytes: number; cutOff: boolean; done: Promise<void> }>();

  /**
   * Writes `head`, `filler` until `size` bytes, then `tail` on `res`. `endResponse`: the answer is the response
   * (ended with the tail, cut off when the client closed before the end); otherwise an event on a stream that stays
   * open (cut off when the client closed the stream while it was written).
   */
  async send(
    res: ServerResponse,
    kind: string,
    size: number,
    parts: { head: string; filler: string; tail: string },
    endResponse: boolean,
  ): Promise<void> {
    let ended!: () => void;
    const record = { bytes: 0, cutOff: false, done: new Promise<void>((r) => (ended = r)) };
    this.#records.set(kind, record);
    if (endResponse) {
      res.once("close", () => {
        record.cutOff = !res.writableFinished;
        ended();
      });
    }
    const write = (chunk: string) =>
      new Promise<void>((resolve) => {
        record.bytes += chunk.length;
        if (res.write(chunk)) return resolve();
        const go = () => {
          res.off("drain", go).off("close", go);
          resolve();
        };
        res.on("drain", go).on("close", go);
      });
    await write(parts.head);
    while (record.bytes < size && !res.destroyed) await write(parts.filler);
    if (endResponse) {
      if (!res.destroyed) res.end(parts.tail);
      return;
    }
    if (!res.destroyed) await write(parts.tail);
    record.cutOff = res.destroyed;
    ended();
  }

  /**
   * What was written of the last answer of `kind`, once it ended. After 30 s it has not (the client neither read it
   * all nor hung up, or a loaded machine is that slow): what was written so far, not cut off.
   */
  async sent(kind: string): Promise<{ bytes: number; cutOff: boolean }> {
    const record = this.#records.get(kind);
    if (!record) throw new Error(`the upstream never answered ${kind}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([record.done, new Promise((r) => (timer = setTimeout(r, 30_000)))]);
    clearTimeout(timer);
    return { bytes: record.bytes, cutOff: record.cutOff };
  }
}
