import { isIP } from "node:net";

/**
 * Who is on the other end of a request, for the sign-in throttle and the audit log.
 *
 * `X-Forwarded-For` is a list any client can start: only the hops appended by proxies we run can
 * be believed. Next.js's own server sets the header to the socket's address only when the client
 * sent none (`??=` in base-server.js, Next 16), so on its own the header is the client's to
 * choose. The peer hook (peer-address-hook.ts, installed by instrumentation.ts) therefore appends
 * the socket's address to the header before Next.js sees the request and stamps it into
 * `x-loyalty-peer`; the chain handed to this function is then `client-supplied…, socket`.
 *
 * - No trusted proxy (the default): the socket's address, whatever the header says.
 * - `TRUSTED_PROXY_HOPS=N`: the address N hops left of the socket (each of the N proxies appended
 *   the address it saw).
 * - `TRUSTED_PROXIES=a,b`: walking from the socket leftwards, the first address that is not one of
 *   ours.
 */
export const PEER_HEADER = "x-loyalty-peer";

export interface ProxyTrust {
  hops: number;
  proxies: readonly string[];
}

export const NO_PROXY_TRUST: ProxyTrust = { hops: 0, proxies: [] };

const hook = globalThis as unknown as { __loyaltyPeerHook?: boolean };

/** Set by the peer hook: only then is `x-loyalty-peer` ours rather than the client's. */
export function peerHookInstalled(): boolean {
  return hook.__loyaltyPeerHook === true;
}

export function markPeerHookInstalled(): void {
  hook.__loyaltyPeerHook = true;
}

/** "::ffff:127.0.0.2" and "127.0.0.2" are one client; anything that is not an address is kept short. */
export function normalizeAddress(raw: string): string {
  let value = raw.trim();
  if (value.startsWith("[") && value.includes("]")) value = value.slice(1, value.indexOf("]"));
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value);
  if (mapped) value = mapped[1]!;
  if (isIP(value)) return value.toLowerCase();
  return `invalid:${value.slice(0, 45)}`;
}

function forwardedChain(headers: Headers): string[] {
  return (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean)
    .slice(-64);
}

/**
 * The chain as received, nearest hop last. With the hook in place its last entry is the socket;
 * without it (unit tests, a runtime whose server is not Node's) it is Next.js's header, which is
 * the socket's address unless the client sent one.
 */
export function addressChain(headers: Headers, hookInstalled = peerHookInstalled()): string[] {
  const chain = forwardedChain(headers);
  const peer = hookInstalled ? headers.get(PEER_HEADER)?.trim() : undefined;
  if (peer && chain[chain.length - 1] !== peer) chain.push(peer);
  return chain;
}

export function clientAddressFromChain(chain: readonly string[], trust: ProxyTrust): string {
  if (chain.length === 0) return "unknown";
  if (trust.proxies.length > 0) {
    const ours = new Set(trust.proxies.map(normalizeAddress));
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = normalizeAddress(chain[i]!);
      if (!ours.has(hop)) return hop;
    }
    return normalizeAddress(chain[0]!);
  }
  return normalizeAddress(chain[Math.max(0, chain.length - 1 - trust.hops)]!);
}

export function clientAddress(headers: Headers, trust: ProxyTrust = NO_PROXY_TRUST, hookInstalled = peerHookInstalled()): string {
  return clientAddressFromChain(addressChain(headers, hookInstalled), trust);
}
