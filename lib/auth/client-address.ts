/**
 * The client's address for throttling. Behind a proxy the first hop of x-forwarded-for is the
 * client; `next start` sets it too. "unknown" groups clients we cannot tell apart.
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}
