/**
 * @module bench/lib/tokens
 * Token counts with OpenAI's o200k_base encoding (GPT-4o and later) through js-tiktoken, the maintained pure
 * JavaScript port of tiktoken. Other models tokenize differently; o200k_base is a stable, public yardstick.
 */
import { Tiktoken } from "js-tiktoken/lite";
import o200k_base from "js-tiktoken/ranks/o200k_base";

/** Name of the encoding, recorded in results.json beside every count. */
export const TOKENIZER = "o200k_base (js-tiktoken 1.0.21)";

let encoder: Tiktoken | undefined;

/** Tokens in a text. */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(o200k_base);
  return encoder.encode(text).length;
}

/** Tokens in a value's JSON (what a client puts into the model's context for a tool result or a tool list). */
export function jsonTokens(value: unknown): number {
  return countTokens(JSON.stringify(value));
}

/** UTF-8 bytes of a value's JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}
