// Runs INSIDE the sandbox isolate, shipped as "regex-guard.js" instead of the full guard when the program cannot make
// a regular expression (src/sandbox/isolate-modules.ts and executor.ts decide): its code, and every skill it imports,
// has no regex literal and never names RegExp, match, matchAll or search, and nothing it carries in is a RegExp. The full guard and its
// linear-time engine (regex-guard.js, regex-check.js) are about half of the sandbox's code, and workerd compiles every
// module an isolate is given, so leaving them out saves about 1 ms on every such execution (bench/results.json).
//
// Without a regex literal a program holds no RegExp object, so only the built-ins that build one from a string remain:
// the RegExp constructor and String.prototype.match, matchAll and search. A program can still reach them by a computed
// name (globalThis["Reg" + "Exp"], text[name]); those are replaced with functions that refuse and say why, so no
// regular expression can ever run unguarded here.

const { defineProperty } = Reflect;

/** A refusal named as the built-in it replaces (set here: the build's minifier drops function expressions' names). */
const refuse = (what, name) => {
  const refused = function refused() {
    throw new TypeError(
      `${what} is not available in this execution: the code never names it, so the sandbox started without its ` +
        "regular expression guard. Name it directly in the code (e.g. text.match(/x/) or new RegExp(source)).",
    );
  };
  defineProperty(refused, "name", { value: name });
  return refused;
};

/** Replaces every way to build a RegExp from a string with a clear refusal. */
export function installRegExpGuard() {
  defineProperty(globalThis, "RegExp", {
    value: refuse("RegExp", "RegExp"),
    writable: true,
    enumerable: false,
    configurable: true,
  });
  for (const name of ["match", "matchAll", "search"]) {
    defineProperty(String.prototype, name, {
      value: refuse(`String.prototype.${name}`, name),
      writable: true,
      enumerable: false,
      configurable: true,
    });
  }
}

/** Never imported in this mode (a program that would import it has a regex literal and gets the full guard). */
export function createRegExp() {
  throw new TypeError("regular expressions are not available in this execution");
}
