/**
 * What the credential canary tests (test/e2e/canary.test.ts, test/e2e/user-servers-canary.test.ts) watch for a
 * leak: every spelling a secret can take, every decoding of a text an attacker may have encoded it in, every
 * response body the client receives, and everything this process prints (where wrangler prints the Worker's logs).
 */

/** The spellings a secret can leak in: raw, JSON-escaped 1-5 times, percent-encoded, base64 cores at each offset, hex. */
export function spellings(secret: string): string[] {
  const out = [secret];
  for (let i = 0; i < 5; i++) out.push(JSON.stringify(out[out.length - 1]).slice(1, -1));
  out.push(encodeURIComponent(secret), Buffer.from(secret).toString("hex"));
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), Buffer.from(secret)]).toString("base64");
    const core = b64.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + Buffer.byteLength(secret))) / 6));
    out.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return out;
}

/** `text` decoded the ways an attacker may have encoded it: \u escapes (repeatedly), %XX of any byte, &#NN;. */
export function decodings(text: string): string[] {
  const out = [text];
  let view = text;
  for (let i = 0; i < 6; i++) {
    view = view.replace(/\\u([0-9a-fA-F]{4})|\\(["\\])/g, (_, h, c) =>
      h ? String.fromCharCode(Number.parseInt(h, 16)) : c,
    );
    out.push(view);
  }
  out.push(text.replace(/%([0-9a-fA-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))));
  out.push(text.replace(/&#(\d+);/g, (_, d) => String.fromCharCode(Number(d))));
  return out;
}

/** A finder: the first spelling of any of `secrets` found in a text or in a decoding of it, if any. */
export function leakFinder(...secrets: string[]): (text: string) => string | undefined {
  const forms = secrets.flatMap(spellings);
  return (text) =>
    decodings(text)
      .flatMap((view) => forms.filter((f) => view.includes(f)))
      .at(0);
}

/** The response bodies of non-GET requests made through `fetch` (the GET event stream never ends, so it is not read). */
export interface BodyRecorder {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  bodies: string[];
  /** Resolves once every body has been read, or after `ms`. */
  settled(ms?: number): Promise<void>;
}

/** A fetch for an MCP client that keeps a copy of every response body it receives. */
export function recordBodies(): BodyRecorder {
  const bodies: string[] = [];
  const reading: Promise<void>[] = [];
  return {
    bodies,
    async fetch(input, init) {
      const res = await fetch(input, init);
      if ((init?.method ?? "GET") !== "GET") {
        reading.push(
          res
            .clone()
            .text()
            .then((t) => void bodies.push(t))
            .catch(() => {}),
        );
      }
      return res;
    },
    async settled(ms = 5_000) {
      await Promise.race([Promise.all(reading), new Promise((r) => setTimeout(r, ms))]);
    },
  };
}

/** Tees this process's stdout and stderr into `printed` until `restore()`. */
export function capturePrinted(): { printed: string[]; restore(): void } {
  const printed: string[] = [];
  const writes = [
    [process.stdout, process.stdout.write],
    [process.stderr, process.stderr.write],
  ] as const;
  for (const [stream, write] of writes) {
    const original = write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return original(chunk as string, ...(rest as []));
    }) as typeof stream.write;
  }
  return {
    printed,
    restore() {
      for (const [stream, write] of writes) stream.write = write;
    },
  };
}
