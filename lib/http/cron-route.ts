import { createHash, timingSafeEqual } from "node:crypto";
import { getDb, type Db } from "@/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { timeJob } from "@/lib/metrics/registry";
import { bearerTokenOf } from "./api-key-auth";
import { errorResponse, json } from "./responses";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Fails closed: without a configured CRON_SECRET no call is authorized, on any host. */
export function isCronAuthorized(request: Request, secret: string | undefined): boolean {
  const token = bearerTokenOf(request);
  if (!secret || !token) return false;
  return timingSafeEqual(digest(token), digest(secret));
}

/** A thin cron handler: check the secret, run the same job function the CLI runs, answer its summary. */
export function cronRoute(job: string, run: (db: Db, now: Date) => Promise<unknown>) {
  return async (request: Request): Promise<Response> => {
    try {
      if (!isCronAuthorized(request, env().CRON_SECRET)) {
        return json({ error: "unauthorized", message: "Send `Authorization: Bearer $CRON_SECRET`" }, 401);
      }
      const startedAt = new Date();
      const summary = await timeJob(job, () => run(getDb(), startedAt));
      const durationMs = Date.now() - startedAt.getTime();
      log().info({ job, summary, durationMs }, "cron job finished");
      return json({ job, startedAt: startedAt.toISOString(), durationMs, summary });
    } catch (error) {
      return errorResponse(error, request);
    }
  };
}
