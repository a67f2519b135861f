/**
 * @module user/secret-hosts
 * The hosts a user's secret may be sent to, given by the user when it is stored. A secret referenced as
 * `${secret:NAME}` in a server's headers goes only to servers on those hosts, so a prompt-injected `add_server`
 * for another host cannot carry it away. Host
 * names are written as `user_servers.allow_hosts` matches them: lower case, no brackets, no trailing dot, exact.
 */

/** Most hosts one secret may be bound to. */
export const MAX_SECRET_HOSTS = 20;

const HOST = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*|[0-9a-f:.]{2,45})$/;

/** A host name as it is compared: lower case, no IPv6 brackets, no trailing dot. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "");
}

/**
 * How the user stores the secrets `names` that a server on `host` needs, and is missing: on the /connections page,
 * or through the API the README documents (`PUT /secrets/<NAME>?hosts=...`, the value as the body).
 */
export function storeSecretsHint(names: readonly string[], host: string): string {
  const put = names.map((name) => `PUT /secrets/${name}?hosts=${host}`).join(", ");
  const them = names.length === 1 ? "it" : "them";
  return `store ${them} on the gateway's /connections page (Secrets, allowed host ${host}), or with ${put} (the value as the request body, with the same credentials as /mcp)`;
}

/** Parses a comma-separated host list (`a.example,b.example`); a string is why it is refused. */
export function parseSecretHosts(text: string): string[] | string {
  const hosts = [...new Set(text.split(",").map(normalizeHost).filter(Boolean))];
  if (hosts.length === 0) return "hosts: give at least one host name, comma-separated (e.g. api.github.com)";
  if (hosts.length > MAX_SECRET_HOSTS) return `hosts: at most ${MAX_SECRET_HOSTS} host names`;
  const bad = hosts.find((h) => h.length > 253 || !HOST.test(h));
  if (bad !== undefined) {
    return `hosts: ${JSON.stringify(bad.slice(0, 80))} is not a host name; give exact host names like api.github.com, without scheme, port or path`;
  }
  return hosts;
}

/**
 * The refusal when `secret` may go to `hosts` and a server on `host` references it. No hosts (a secret stored before
 * they were required) allows none: only the user, not a server the model adds, says where a secret goes.
 */
export function secretHostRefusal(secret: string, hosts: readonly string[], host: string): string {
  if (hosts.length === 0) {
    return `secret ${secret} has no allowed hosts yet; allow ${host} for it on /connections (or PUT /secrets/${secret}?hosts=${host} with an empty body)`;
  }
  return `secret ${secret} may be sent only to ${hosts.join(", ")}; allow ${host} for it on /connections (or PUT /secrets/${secret}?hosts=${[...hosts, host].join(",")})`;
}

/** Why a new secret without hosts is refused, and what to write. */
export function secretHostsRequired(secret: string): string {
  return `secret ${secret}: give the hosts it may be sent to (the "Allowed hosts" field on /connections, or PUT /secrets/${secret}?hosts=api.example.com): a secret goes only to hosts you name`;
}
