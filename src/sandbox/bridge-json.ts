/**
 * @module sandbox/bridge-json
 * Reading the JSON that crosses the execution bridge from the sandbox (tool call arguments, gateway operations):
 * text the agent's code controls, parsed without letting it name `__proto__`.
 */

/**
 * Parses JSON that crossed the bridge, refusing `__proto__` keys (JSON.parse makes them real own properties). A
 * reviver makes JSON.parse several times slower, and every tool call's arguments come through here: text that holds
 * neither `__proto__` nor a `\u` escape (the only other way to spell it) cannot have that key, so it skips the reviver.
 */
export function parseBridgeJson(json: string): unknown {
  if (!json.includes("__proto__") && !json.includes("\\u")) return JSON.parse(json);
  return JSON.parse(json, (key, value) => {
    if (key === "__proto__") throw new Error("the key __proto__ is not allowed");
    return value;
  });
}
