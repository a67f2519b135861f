/**
 * @module sandbox/sucrase-tokens
 * Sucrase's parser, for its token stream (each token typed, and marked when it is in a type position). The ESM build
 * is the copy the Worker bundle already holds for `transform` (the bundler picks sucrase's `module` entry); the
 * package ships these modules' declarations under dist/types.
 */
// @ts-expect-error: no declarations beside the ESM files; typed by the casts below
import * as sucraseParser from "sucrase/dist/esm/parser/index.js";
// @ts-expect-error: as above
import * as sucraseKeywords from "sucrase/dist/esm/parser/tokenizer/keywords.js";
// @ts-expect-error: as above
import * as sucraseTypes from "sucrase/dist/esm/parser/tokenizer/types.js";
import type { parse as Parse } from "sucrase/dist/types/parser/index";
import type { ContextualKeyword as Keyword } from "sucrase/dist/types/parser/tokenizer/keywords";
import type { TokenType as Type } from "sucrase/dist/types/parser/tokenizer/types";

export type { Token } from "sucrase/dist/types/parser/tokenizer/index";

/** Parses TypeScript (`parse(code, false, true, false)`): throws on a syntax error. */
export const parse = sucraseParser.parse as typeof Parse;
export const ck = sucraseKeywords.ContextualKeyword as typeof Keyword;
export const tt = sucraseTypes.TokenType as typeof Type;
