/**
 * @module registry/ssrf
 * Server-side request forgery guard for every URL the gateway connects to: configured upstreams, every redirect
 * hop, and anything an upstream hands back. Pure: it parses and classifies, it never resolves or connects.
 *
 * Addresses are recognised in every spelling the WHATWG URL parser (and so `fetch`) accepts for IPv4 — decimal
 * integer (`2130706433`), hex (`0x7f000001`), octal (`0177.0.0.1`), shortened (`127.1`, `0x7f.1`), trailing
 * dot — and for IPv6 — compressed, bracketed, zone ids, IPv4-mapped/compatible/translated, NAT64, 6to4 and
 * Teredo forms that embed an IPv4 address, which is then judged as IPv4.
 *
 * Host NAMES are judged as names only (`localhost`, `*.localhost`, cloud metadata names, private-use suffixes,
 * single-label names, and wildcard-DNS names that embed an address such as `127.0.0.1.nip.io`). A Worker cannot
 * resolve DNS before `fetch` connects (there is no DNS API, and `fetch` resolves internally), so a public name
 * whose DNS answer is a private address, or changes between requests (DNS rebinding), is beyond this guard.
 * On Cloudflare's network that gap is narrow: Workers egress goes to the public Internet and does not reach
 * private networks or the machine's loopback. It is wide under local `wrangler dev` and self-hosted workerd,
 * where `fetch` runs on the operator's own network and configured names must be trusted as their DNS is.
 */
import { formatV4, formatV6, ip4, parseIPv4, parseIPv6 } from "./ip-address";

/** Which addresses upstream URLs may point at (`network` in GATEWAY_CONFIG). */
export interface NetworkPolicy {
  /** Loopback (127.0.0.0/8, ::1, `localhost`): local development only. */
  allow_loopback: boolean;
  /** Private, shared (CGNAT) and link-local networks, and private-use names (`*.internal`, single labels). */
  allow_private: boolean;
  /** Host names or IP literals allowed whatever their class (exact match after normalization). */
  allow_hosts: readonly string[];
}

export type HostKind =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "metadata"
  | "unspecified"
  | "broadcast"
  | "multicast"
  | "reserved"
  | "invalid";

export interface HostClass {
  kind: HostKind;
  /** Normalized host: lower case, no brackets, zone id or trailing dots; IPv4 dotted-quad, IPv6 per RFC 5952. */
  host: string;
  /** Why: the range or rule that matched, e.g. `127.0.0.0/8`. */
  detail: string;
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

type V4Range = readonly [base: number, bits: number, kind: HostKind, detail: string];

/** IANA special-purpose IPv4 registry, most specific first. Anything not listed is public. */
const V4_RANGES: readonly V4Range[] = [
  [ip4(169, 254, 169, 254), 32, "metadata", "cloud metadata endpoint 169.254.169.254"],
  [ip4(169, 254, 170, 2), 32, "metadata", "container metadata endpoint 169.254.170.2"],
  [ip4(100, 100, 100, 200), 32, "metadata", "cloud metadata endpoint 100.100.100.200"],
  [ip4(255, 255, 255, 255), 32, "broadcast", "255.255.255.255"],
  [ip4(0, 0, 0, 0), 8, "unspecified", "0.0.0.0/8"],
  [ip4(10, 0, 0, 0), 8, "private", "10.0.0.0/8"],
  [ip4(100, 64, 0, 0), 10, "private", "100.64.0.0/10 (carrier-grade NAT)"],
  [ip4(127, 0, 0, 0), 8, "loopback", "127.0.0.0/8"],
  [ip4(169, 254, 0, 0), 16, "link-local", "169.254.0.0/16"],
  [ip4(172, 16, 0, 0), 12, "private", "172.16.0.0/12"],
  [ip4(192, 0, 0, 0), 24, "reserved", "192.0.0.0/24 (IETF protocol assignments)"],
  [ip4(192, 0, 2, 0), 24, "reserved", "192.0.2.0/24 (documentation)"],
  [ip4(192, 88, 99, 0), 24, "reserved", "192.88.99.0/24 (6to4 relay)"],
  [ip4(192, 168, 0, 0), 16, "private", "192.168.0.0/16"],
  [ip4(198, 18, 0, 0), 15, "reserved", "198.18.0.0/15 (benchmarking)"],
  [ip4(198, 51, 100, 0), 24, "reserved", "198.51.100.0/24 (documentation)"],
  [ip4(203, 0, 113, 0), 24, "reserved", "203.0.113.0/24 (documentation)"],
  [ip4(224, 0, 0, 0), 4, "multicast", "224.0.0.0/4"],
  [ip4(240, 0, 0, 0), 4, "reserved", "240.0.0.0/4"],
];

/** Names that are loopback by definition (RFC 6761) or by near-universal /etc/hosts entries and wildcard DNS. */
const LOOPBACK_NAMES = ["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"];
const LOOPBACK_SUFFIXES = ["localhost", "localtest.me", "lvh.me", "vcap.me"];
/** Cloud metadata services reached by name. */
const METADATA_NAMES = [
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.tencentyun.com",
];
/** Suffixes reserved for private use (RFC 6762 `.local`, RFC 8375 `home.arpa`, ICANN `.internal`) or common. */
const PRIVATE_SUFFIXES = ["internal", "local", "localdomain", "home.arpa", "lan", "intranet", "corp"];
/** Wildcard-DNS services whose names resolve to the address written inside them. */
const ADDRESS_DNS_SUFFIXES = ["nip.io", "sslip.io", "xip.io", "nip.direct", "traefik.me"];

function classifyV4(n: number): HostClass {
  const host = formatV4(n);
  for (const [base, bits, kind, detail] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === base) return { kind, host, detail };
  }
  return { kind: "public", host, detail: "public IPv4 address" };
}

function classifyV6(g: number[]): HostClass {
  const host = formatV6(g);
  const v4At = (hi: number, lo: number) => ((g[hi]! << 16) | g[lo]!) >>> 0;
  const is = (prefix: number[]) => prefix.every((x, i) => g[i] === x);
  const embedded = (n: number, via: string): HostClass => {
    const inner = classifyV4(n);
    return { kind: inner.kind, host, detail: `${via} of ${inner.host} (${inner.detail})` };
  };
  if (g.every((x) => x === 0)) return { kind: "unspecified", host, detail: "::" };
  if (is([0, 0, 0, 0, 0, 0, 0]) && g[7] === 1) return { kind: "loopback", host, detail: "::1" };
  if (host === "fd00:ec2::254") return { kind: "metadata", host, detail: "cloud metadata endpoint" };
  if (is([0, 0, 0, 0, 0, 0xffff])) return embedded(v4At(6, 7), "IPv4-mapped form");
  if (is([0, 0, 0, 0, 0xffff, 0])) return embedded(v4At(6, 7), "IPv4-translated form");
  if (is([0, 0, 0, 0, 0, 0])) return embedded(v4At(6, 7), "IPv4-compatible form");
  if (is([0x64, 0xff9b, 0, 0, 0, 0])) return embedded(v4At(6, 7), "NAT64 form");
  if (is([0x64, 0xff9b, 1])) return { kind: "private", host, detail: "64:ff9b:1::/48 (local NAT64)" };
  if (g[0] === 0x2002) return embedded(v4At(1, 2), "6to4 form");
  if (is([0x2001, 0])) return embedded(~v4At(6, 7) >>> 0, "Teredo form");
  if (is([0x2001, 0xdb8]) || (g[0] === 0x3fff && g[1]! < 0x1000)) {
    return { kind: "reserved", host, detail: "documentation prefix" };
  }
  if (is([0x100, 0, 0, 0])) return { kind: "reserved", host, detail: "100::/64 (discard)" };
  if ((g[0]! & 0xfe00) === 0xfc00) return { kind: "private", host, detail: "fc00::/7 (unique local)" };
  if ((g[0]! & 0xffc0) === 0xfe80) return { kind: "link-local", host, detail: "fe80::/10" };
  if ((g[0]! & 0xffc0) === 0xfec0) return { kind: "private", host, detail: "fec0::/10 (site local)" };
  if ((g[0]! & 0xff00) === 0xff00) return { kind: "multicast", host, detail: "ff00::/8" };
  if ((g[0]! & 0xe000) !== 0x2000) return { kind: "reserved", host, detail: "outside 2000::/3 (global unicast)" };
  return { kind: "public", host, detail: "public IPv6 address" };
}

function matchesSuffix(name: string, suffixes: readonly string[]): string | undefined {
  return suffixes.find((s) => name === s || name.endsWith(`.${s}`));
}

/** An IPv4 address written inside a name: `a.b.c.d.<rest>`, `a-b-c-d.<rest>` or 8 hex digits (nip.io style). */
function embeddedV4(name: string, wildcard: boolean): number | undefined {
  const labels = name.split(".");
  for (let i = 0; i + 4 <= labels.length - 1; i++) {
    const quad = labels.slice(i, i + 4);
    if (quad.every((l) => /^[0-9]{1,3}$/.test(l) && Number(l) <= 255)) return parseIPv4(quad.join(".")) ?? undefined;
  }
  for (const label of labels) {
    const dashed = /(?:^|-)([0-9]{1,3})-([0-9]{1,3})-([0-9]{1,3})-([0-9]{1,3})$/.exec(label);
    if (dashed?.slice(1).every((p) => Number(p) <= 255)) {
      return parseIPv4(dashed.slice(1).join(".")) ?? undefined;
    }
    if (wildcard && /^[0-9a-f]{8}$/.test(label)) return Number.parseInt(label, 16) >>> 0;
  }
  return undefined;
}

function classifyName(name: string): HostClass {
  if (name === "" || name.length > 253 || !/^[a-z0-9_.-]+$/.test(name) || name.includes("..")) {
    return { kind: "invalid", host: name, detail: "not a valid host name" };
  }
  if (LOOPBACK_NAMES.includes(name) || matchesSuffix(name, LOOPBACK_SUFFIXES)) {
    return { kind: "loopback", host: name, detail: "a name for the local host" };
  }
  if (METADATA_NAMES.includes(name)) return { kind: "metadata", host: name, detail: "cloud metadata name" };
  const wildcard = matchesSuffix(name, ADDRESS_DNS_SUFFIXES);
  const inner = embeddedV4(name, wildcard !== undefined);
  if (inner !== undefined) {
    const v4 = classifyV4(inner);
    if (v4.kind !== "public" || wildcard) return { ...v4, host: name, detail: `a name for ${v4.host} (${v4.detail})` };
  }
  if (wildcard) return { kind: "reserved", host: name, detail: `wildcard DNS name under ${wildcard}` };
  const suffix = matchesSuffix(name, PRIVATE_SUFFIXES);
  if (suffix) return { kind: "private", host: name, detail: `private-use name (.${suffix})` };
  if (!name.includes(".")) return { kind: "private", host: name, detail: "single-label name (local network only)" };
  return { kind: "public", host: name, detail: "public host name (checked as a name; DNS is not resolved)" };
}

/** Drops trailing dots with a loop: `/\.+$/` is quadratic on a host of many dots (each one starts an attempt). */
function trimTrailingDots(host: string): string {
  let end = host.length;
  while (end > 0 && host.charCodeAt(end - 1) === 46) end--;
  return host.slice(0, end);
}

/**
 * Classifies a host as written in a URL or in configuration: an IP literal in any spelling (bracketed or not,
 * with zone id or trailing dot) or a name. Percent-escapes and full-width characters are normalized the way the
 * URL parser does first, so the class always matches where `fetch` would connect.
 */
export function classifyHost(raw: string): HostClass {
  let s = raw.trim().toLowerCase();
  if (s.startsWith("[") !== s.endsWith("]")) return { kind: "invalid", host: s, detail: "unbalanced brackets" };
  if (s.startsWith("[")) s = s.slice(1, -1);
  if (s.includes(":")) {
    const zone = s.indexOf("%");
    const groups = parseIPv6(zone === -1 ? s : s.slice(0, zone));
    return groups ? classifyV6(groups) : { kind: "invalid", host: s, detail: "not a valid IPv6 address" };
  }
  // Let the URL parser apply its own host normalization (percent-decoding, IDNA mapping of full-width digits
  // and dots, IPv4 spellings), then judge the result: the guard sees exactly what fetch would connect to.
  if (/[/?#@\\\s]/.test(s)) return { kind: "invalid", host: s, detail: "not a host" };
  let host: string;
  try {
    host = new URL(`http://${s}/`).hostname;
  } catch {
    return { kind: "invalid", host: s, detail: "not a valid host" };
  }
  if (host.startsWith("[")) return classifyHost(host);
  host = trimTrailingDots(host);
  for (const candidate of [host, trimTrailingDots(s)]) {
    const v4 = parseIPv4(candidate);
    if (v4 === null) return { kind: "invalid", host, detail: "an IPv4 address out of range" };
    if (v4 !== undefined) return classifyV4(v4);
  }
  return classifyName(host);
}

const KIND_TEXT: Record<HostKind, string> = {
  public: "a public address",
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  metadata: "a cloud metadata address",
  unspecified: "the unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  reserved: "a reserved address",
  invalid: "not a valid host",
};

const ADVICE: Partial<Record<HostKind, string>> = {
  loopback: "set network.allow_loopback = true in GATEWAY_CONFIG for local development",
  private: "set network.allow_private = true in GATEWAY_CONFIG, or list the host in network.allow_hosts",
  "link-local": "set network.allow_private = true in GATEWAY_CONFIG, or list the host in network.allow_hosts",
};

/** Normalized form of each `allow_hosts` entry, for comparison with {@link HostClass.host}. */
function allowedHosts(policy: NetworkPolicy): Set<string> {
  return new Set(policy.allow_hosts.map((h) => classifyHost(h).host));
}

/** Why `host` may not be connected to under `policy`, or `undefined` when it may. */
export function refusalReason(cls: HostClass, policy: NetworkPolicy): string | undefined {
  if (allowedHosts(policy).has(cls.host)) return undefined;
  if (cls.kind === "public") return undefined;
  if (cls.kind === "loopback" && policy.allow_loopback) return undefined;
  if ((cls.kind === "private" || cls.kind === "link-local") && policy.allow_private) return undefined;
  const what = cls.kind === "invalid" ? "not a valid host" : `${KIND_TEXT[cls.kind]} (${cls.detail})`;
  const advice = ADVICE[cls.kind] ?? "only an exact entry in network.allow_hosts allows it";
  return `${cls.host} is ${what}; ${advice}`;
}

/**
 * Decides whether the gateway may connect to `url`: http(s) only, and a host allowed by `policy`. The reason
 * names the host, its class and the configuration that would allow it, and never the URL's credentials.
 */
export function checkUrl(url: string | URL, policy: NetworkPolicy): UrlVerdict {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return { ok: false, reason: "refused to connect: not a valid URL" };
  }
  const where = `${parsed.protocol}//${parsed.host}`;
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return { ok: false, reason: `refused to connect to ${where}: only http and https URLs are allowed` };
  }
  const reason = refusalReason(classifyHost(parsed.hostname), policy);
  return reason ? { ok: false, reason: `refused to connect to ${where}: ${reason}` } : { ok: true, url: parsed };
}
