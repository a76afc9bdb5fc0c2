import { env } from "@/lib/env";
import type { ProxyTrust } from "./client-address";

/** TRUSTED_PROXIES (a list) wins over TRUSTED_PROXY_HOPS (a count); neither means the socket is the client. */
export function proxyTrust(): ProxyTrust {
  const e = env();
  return { hops: e.TRUSTED_PROXY_HOPS, proxies: e.TRUSTED_PROXIES };
}
