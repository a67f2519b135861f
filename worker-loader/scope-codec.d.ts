export class Unstorable extends Error {}
export function encodeScopeValue(value: unknown, budget: { nodes: number; max: number }, charge: (n: number) => void): string;
export function decodeScopeValue(text: string): unknown;
