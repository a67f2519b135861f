/**
 * @module registry/ip-address
 * IP address syntax exactly as the WHATWG URL parser (and so `fetch`) reads it: every IPv4 spelling it accepts
 * (1 to 4 parts; decimal, `0x` hex, leading-zero octal; one trailing dot) and IPv6 with `::` compression and an
 * embedded dotted IPv4. Pure; used by the SSRF guard, which must see the address `fetch` would connect to.
 */

/** The 32-bit value of a.b.c.d. */
export function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Dotted-quad text of a 32-bit value. */
export function formatV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** One IPv4 part as the WHATWG URL parser reads it: `0x` hex, leading-zero octal, or decimal. */
function parseV4Part(part: string): number | undefined {
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
    if (digits === "") return 0;
  } else if (part.length > 1 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
  }
  const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return undefined;
  const value = Number.parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

/**
 * Parses an IPv4 address in any spelling the WHATWG URL parser accepts (1 to 4 parts, each decimal, octal or
 * hex, the last one filling the remaining bytes; one trailing dot). Returns the 32-bit value, `undefined`
 * when the text is not IPv4 syntax, or `null` when it looks like an address but is out of range (the URL
 * parser rejects those).
 */
export function parseIPv4(text: string): number | undefined | null {
  const parts = text.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length > 4 || parts.length === 0) return endsInNumber(parts) ? null : undefined;
  const values: number[] = [];
  for (const part of parts) {
    if (part === "") return endsInNumber(parts) ? null : undefined;
    const v = parseV4Part(part);
    if (v === undefined) return endsInNumber(parts) ? null : undefined;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  if (last >= 256 ** (4 - values.length)) return null;
  let n = last;
  values.forEach((v, i) => {
    n += v * 256 ** (3 - i);
  });
  return n >>> 0;
}

/** The WHATWG "ends in a number" check: such a host is an IPv4 address or invalid, never a name. */
function endsInNumber(parts: string[]): boolean {
  const last = parts[parts.length - 1] ?? "";
  return /^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
}

/** Parses an IPv6 address (no brackets, zone id already removed) into eight 16-bit groups. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text;
  if (s.includes(".")) {
    // Embedded dotted IPv4 in the last 32 bits: strict decimal (the URL parser refuses other spellings here).
    const at = s.lastIndexOf(":");
    const quad = s.slice(at + 1).split(".");
    if (quad.length !== 4 || quad.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) return undefined;
    const [a, b, c, d] = quad.map(Number) as [number, number, number, number];
    s = `${s.slice(0, at + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const all = [...head, ...rest];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  if (halves.length === 1 ? all.length !== 8 : all.length > 7) return undefined;
  const nums = (gs: string[]) => gs.map((g) => Number.parseInt(g, 16));
  return [...nums(head), ...new Array<number>(8 - all.length).fill(0), ...nums(rest)];
}

/** RFC 5952 text form: lower-case hex, the longest run of two or more zero groups as `::`. */
export function formatV6(g: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}
