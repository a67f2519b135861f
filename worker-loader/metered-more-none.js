// Runs INSIDE the sandbox isolate, shipped as "metered-more.js" instead of the real one when the code can reach no
// metered method beyond toString, join and toLocaleString, which metered-builtins.js wraps itself
// (src/sandbox/isolate-modules.ts decides from the host's selection): workerd compiles every module an isolate is
// given, so a program that names none of them is spared their code. metered-builtins.js calls this only when the
// selection it was given names another method; that would run those methods unmetered, so it refuses instead.

export function installMoreMetered() {
  throw new Error(
    "the sandbox started without the metered built-ins its code can reach (metered-more.js); this is the gateway's fault",
  );
}
