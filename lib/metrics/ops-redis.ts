import { Redis } from "ioredis";
import { env } from "@/lib/env";

const globalForOps = globalThis as unknown as { __loyaltyOpsRedis?: Redis | null };

/**
 * The Redis connection of the operations routes (readiness, metrics): no key prefix (stream names
 * are absolute), short timeouts, no queueing while disconnected, so a probe answers "down" quickly
 * instead of hanging. Undefined when REDIS_URL is not configured.
 */
export function opsRedis(): Redis | undefined {
  if (globalForOps.__loyaltyOpsRedis === undefined) {
    const url = env().REDIS_URL;
    if (!url) {
      globalForOps.__loyaltyOpsRedis = null;
    } else {
      const client = new Redis(url, {
        commandTimeout: 500,
        connectTimeout: 1_000,
        disconnectTimeout: 200,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: (attempt) => Math.min(250 * attempt, 2_000),
      });
      client.on("error", () => {});
      globalForOps.__loyaltyOpsRedis = client;
    }
  }
  return globalForOps.__loyaltyOpsRedis ?? undefined;
}

/** Resolves once connected (true) or after timeoutMs (false). */
export async function redisReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === "ready") return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once("ready", onReady);
  });
}

/** Tests point the routes at a Redis of their choosing (or none with null); the previous client is returned. */
export function setOpsRedis(client: Redis | null | undefined): Redis | null | undefined {
  const previous = globalForOps.__loyaltyOpsRedis;
  globalForOps.__loyaltyOpsRedis = client;
  return previous;
}
