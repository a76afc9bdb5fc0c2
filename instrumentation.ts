/**
 * Runs once when a Next.js server starts, before it serves a request. Cache invalidation is
 * subscribed here rather than on a process's first cached read: a server whose first request is a
 * write (an event, a redemption, a staff adjustment) must still drop that member's entries in Redis,
 * where other instances read them.
 */
export async function register(): Promise<void> {
  // lib/env.ts is the only reader of process.env for the app's own settings; NEXT_RUNTIME is
  // Next.js's switch between its Node.js and Edge runtimes, set by Next itself, not configuration.
  // The cache (ioredis, node:crypto) and the ledger exist in the Node.js runtime only.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    // First, so no request is served before the socket's address is stamped (lib/auth/client-address.ts).
    const { installPeerAddressHook } = await import("@/lib/auth/peer-address-hook");
    installPeerAddressHook();
    const { startCacheInvalidation } = await import("@/lib/cache/invalidation");
    await startCacheInvalidation();
    // On the embedded PGlite database (one process only) the server delivers webhooks itself.
    const { startEmbeddedWebhookDelivery } = await import("@/lib/webhooks/embedded-delivery");
    startEmbeddedWebhookDelivery();
    // And runs the periodic jobs (vesting, hold expiry, expiry, reminders, tiers…) that the cron
    // routes run in production: only `npm run dev` on the embedded database (lib/jobs/dev-scheduler.ts).
    const { startDevJobsIfEmbedded } = await import("@/lib/jobs/dev-scheduler");
    startDevJobsIfEmbedded();
  }
}
