import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { getDb, type Db } from "@/db/client";
import { opsRedis, redisReady } from "./ops-redis";

export type Probe = "up" | "down" | "not_configured";

export interface Readiness {
  status: "ready" | "not_ready";
  database: Probe;
  redis: Probe;
}

/** Each dependency gets this long to answer; a probe must answer well within a load balancer's timeout. */
export const PROBE_TIMEOUT_MS = 1_500;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probeDatabase(db: Db): Promise<Probe> {
  try {
    await within(db.execute(sql`select 1`), PROBE_TIMEOUT_MS);
    return "up";
  } catch {
    return "down";
  }
}

async function probeRedis(redis: Redis | undefined): Promise<Probe> {
  if (!redis) return "not_configured";
  try {
    if (!(await redisReady(redis, PROBE_TIMEOUT_MS))) return "down";
    return (await within(redis.ping(), PROBE_TIMEOUT_MS)) === "PONG" ? "up" : "down";
  } catch {
    return "down";
  }
}

/** Both probes at once; ready when the database is up and Redis is up or not configured. */
export async function checkReadiness(sources: { db?: Db; redis?: Redis | null } = {}): Promise<Readiness> {
  const redis = sources.redis === undefined ? opsRedis() : (sources.redis ?? undefined);
  const [database, redisProbe] = await Promise.all([probeDatabase(sources.db ?? getDb()), probeRedis(redis)]);
  const ready = database === "up" && redisProbe !== "down";
  return { status: ready ? "ready" : "not_ready", database, redis: redisProbe };
}
