import dns from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { env } from "@/lib/env";

/**
 * Which hosts a webhook may be sent to (docs/webhooks.md, Targets). An endpoint's URL is given by an
 * API key, so without a check it could point deliveries at the platform's own network: a database's
 * HTTP port, an admin interface on 10.x, the cloud metadata service at 169.254.169.254. Refused: the
 * ranges below, IPv4 and IPv6, including IPv4-mapped IPv6 (::ffff:127.0.0.1, matched by BlockList as
 * the IPv4 it maps) and IPv4 written in decimal, hex or octal (the URL parser turns
 * http://2130706433/ and http://0x7f.1/ into 127.0.0.1 before we look). A host name is checked
 * against every address it resolves to, when the endpoint is created and again at each delivery's
 * connection (the lookup of the HTTP agent, so a name that is public at creation and private later,
 * DNS rebinding, is refused when it matters). WEBHOOK_ALLOW_PRIVATE_TARGETS=1 turns the range check
 * off (development, tests with a local receiver); production also requires https unless it is set.
 */
const RANGES: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  // First, so 169.254.169.254 is named for what it is rather than as link-local.
  ["cloud metadata", ["169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32", "fd00:ec2::254/128"]],
  ["loopback", ["127.0.0.0/8", "::1/128"]],
  ["unspecified", ["0.0.0.0/8", "::/128"]],
  ["private", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]],
  ["carrier-grade NAT", ["100.64.0.0/10"]],
  ["link-local", ["169.254.0.0/16", "fe80::/10"]],
  ["multicast", ["224.0.0.0/4", "ff00::/8"]],
  ["reserved", ["192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "100::/64", "2001:db8::/32", "fec0::/10"]],
  // Addresses that carry an IPv4 address inside (IPv4-compatible, NAT64, 6to4, Teredo): refused
  // whole rather than decoded, a webhook receiver has no reason to be reached through one.
  ["IPv6 transition", ["::/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32"]],
];

const LISTS = RANGES.map(([name, cidrs]) => {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split("/") as [string, string];
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? "ipv6" : "ipv4");
  }
  return [name, list] as const;
});

/** The name of the refused range an IP address is in, or null for a public address. */
export function blockedRange(address: string): string | null {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return "not an IP address";
  for (const [name, list] of LISTS) if (list.check(bare, family === 6 ? "ipv6" : "ipv4")) return name;
  return null;
}

/** Private targets (and plain http in production) allowed: WEBHOOK_ALLOW_PRIVATE_TARGETS. */
export function privateTargetsAllowed(): boolean {
  return env().WEBHOOK_ALLOW_PRIVATE_TARGETS;
}

/** Why a target cannot be used: the message of an endpoint's refusal and of a failed delivery. */
export class WebhookTargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookTargetRefused";
  }
}

export type Resolver = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * Checks an endpoint URL before it is stored: https in production, and the host (an IP literal, or
 * every address a name resolves to) outside the refused ranges. Throws WebhookTargetRefused.
 */
export async function checkWebhookTarget(url: string, resolve: Resolver = systemResolver): Promise<void> {
  const parsed = new URL(url);
  const allowPrivate = privateTargetsAllowed();
  if (!allowPrivate && env().NODE_ENV === "production" && parsed.protocol !== "https:") {
    throw new WebhookTargetRefused("must use https");
  }
  if (allowPrivate) return;
  const host = parsed.hostname;
  if (isIP(host.replace(/^\[|\]$/g, "")) !== 0) {
    const range = blockedRange(host);
    if (range) throw new WebhookTargetRefused(`${host} is a ${range} address; webhooks go to public hosts only`);
    return;
  }
  let addresses: ReadonlyArray<{ address: string }>;
  try {
    addresses = await resolve(host);
  } catch {
    throw new WebhookTargetRefused(`${host} does not resolve`);
  }
  if (addresses.length === 0) throw new WebhookTargetRefused(`${host} does not resolve`);
  for (const { address } of addresses) {
    const range = blockedRange(address);
    if (range) throw new WebhookTargetRefused(`${host} resolves to ${address}, a ${range} address; webhooks go to public hosts only`);
  }
}

/**
 * The lookup of the delivery agent: resolves as usual and refuses the connection when any address
 * is in a refused range, so the address connected to is the one checked (no second resolution for a
 * rebinding DNS server to answer differently).
 */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const family = typeof options.family === "number" ? options.family : 0;
        const usable = addresses.filter((a) => family === 0 || a.family === family);
        const bad = usable.find((a) => blockedRange(a.address) !== null);
        if (bad) {
          const error = new WebhookTargetRefused(
            `refused: ${hostname} resolves to ${bad.address}, a ${blockedRange(bad.address)} address (webhooks go to public hosts only)`,
          );
          return callback(error as NodeJS.ErrnoException, "", 0);
        }
        if (usable.length === 0) {
          const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
          return callback(error, "", 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}
