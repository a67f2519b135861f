/** The environment variable that turns wrangler's local request traces on or off. */
export const LOCAL_TRACES_VARIABLE: string;
/** Turns wrangler's local request traces off for this process and what it starts, unless the variable is set. */
export function quietLocalTraces(): void;
