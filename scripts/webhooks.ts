import { parseArgs } from "node:util";
import { connectFromEnv } from "@/db/client";
import { log } from "@/lib/log";
import { DEFAULT_RETRY_POLICY } from "@/lib/webhooks/backoff";
import { runWebhookDelivery } from "@/lib/webhooks/run-delivery";

/**
 * `npm run webhooks`: delivers the outbox's webhooks (docs/webhooks.md). Run one or several (they
 * claim with FOR UPDATE SKIP LOCKED); stop with SIGINT/SIGTERM. A process killed outright loses
 * nothing: its claimed deliveries come due again when their lease (--lease-ms) ends.
 * On the embedded PGlite database the dev server delivers itself (instrumentation.ts).
 */
const { values: args } = parseArgs({
  options: {
    batch: { type: "string", default: "50" },
    "idle-ms": { type: "string", default: "1000" },
    "lease-ms": { type: "string", default: "60000" },
    "timeout-ms": { type: "string", default: "10000" },
    // Shorter schedules for tests; the defaults retry for about a day (lib/webhooks/backoff.ts).
    "base-delay-ms": { type: "string", default: String(DEFAULT_RETRY_POLICY.baseDelayMs) },
    "max-delay-ms": { type: "string", default: String(DEFAULT_RETRY_POLICY.maxDelayMs) },
    "max-attempts": { type: "string", default: String(DEFAULT_RETRY_POLICY.maxAttempts) },
  },
});

function whole(name: keyof typeof args, min = 1): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}.`);
  return value;
}

async function main() {
  const options = {
    batchSize: whole("batch"),
    idleMs: whole("idle-ms", 10),
    leaseMs: whole("lease-ms", 100),
    requestTimeoutMs: whole("timeout-ms", 100),
    retry: { baseDelayMs: whole("base-delay-ms"), maxDelayMs: whole("max-delay-ms"), maxAttempts: whole("max-attempts") },
  };
  if (options.leaseMs <= options.requestTimeoutMs) throw new Error("--lease-ms must be longer than --timeout-ms.");
  const handle = connectFromEnv();
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());
  log().info({ batch: options.batchSize, leaseMs: options.leaseMs }, "webhook delivery started");
  await runWebhookDelivery(handle.db, stop.signal, {
    ...options,
    onRound: (result) => log().info(result, "webhook round"),
    onError: (error) => log().error({ err: error }, "webhook round failed"),
  });
  log().info("webhook delivery stopped");
  await handle.close();
}

main().catch((error) => {
  log().fatal({ err: error }, "webhook delivery crashed");
  process.exit(1);
});
