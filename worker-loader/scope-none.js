// Runs INSIDE the sandbox isolate, shipped as "scope.js" instead of the real one when the program has no top-level
// value to carry in or capture (src/sandbox/isolate-modules.ts and executor.ts decide): then the scope codec is not
// needed, and workerd compiles every module an isolate is given, so leaving it out saves a little every time.

export function configureScope() {}

export function scopeIn() {
  return undefined;
}

export function scopeOut() {}

export function captureScope() {
  return { values: [], unstorable: [], uninitialized: [] };
}
