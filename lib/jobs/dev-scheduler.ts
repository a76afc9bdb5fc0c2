import type { Db } from "@/db/client";
import { getDb } from "@/db/client";
import { env, type Env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * The periodic jobs in development on the embedded database (README, Development). In production
 * a scheduler calls the /api/cron/* routes (vercel.json) or `npm run cli -- jobs run …`; with
 * `npm run dev` on PGlite only the dev server may open the database, so nothing else could run
 * them, and pending points would never vest, lapsed holds never send hold.expired, points never
 * expire. This runs the same job functions the cron routes call, in this process, one at a time.
 */
export interface ScheduledJob {
  /** The cron route's name (app/api/cron/<name>). */
  name: string;
  /** Milliseconds between runs (shorter than production's, so a developer sees the effect). */
  everyMs: number;
  run: (db: Db, now: Date) => Promise<unknown>;
}

const MINUTE = 60_000;

export const DEV_JOBS: readonly ScheduledJob[] = [
  { name: "expire-holds", everyMs: MINUTE, run: async (db, now) => (await import("@/lib/loyalty/jobs/expire-holds")).expireHolds(db, { now }) },
  { name: "vest-points", everyMs: 5 * MINUTE, run: async (db, now) => (await import("@/lib/loyalty/jobs/vest-points")).vestPoints(db, { now }) },
  { name: "expire-points", everyMs: 60 * MINUTE, run: async (db, now) => (await import("@/lib/loyalty/jobs/expire-points")).expirePoints(db, { now }) },
  {
    name: "expiry-reminders",
    everyMs: 60 * MINUTE,
    run: async (db, now) => (await import("@/lib/loyalty/jobs/queue-expiry-reminders")).queueExpiryReminders(db, { now }),
  },
  {
    name: "recalculate-tiers",
    everyMs: 60 * MINUTE,
    run: async (db, now) => (await import("@/lib/loyalty/jobs/recalculate-tiers")).recalculateTiers(db, { now }),
  },
  {
    name: "ledger-snapshot",
    everyMs: 24 * 60 * MINUTE,
    run: async (db, now) => (await import("@/lib/loyalty/jobs/take-ledger-snapshot")).takeLedgerSnapshot(db, { now }),
  },
  { name: "prune-webhooks", everyMs: 24 * 60 * MINUTE, run: async (db, now) => (await import("@/lib/webhooks/prune")).pruneWebhooks(db, { now }) },
];

/**
 * Whether this process schedules the jobs itself: only a development server on the embedded
 * database. Never in production (its scheduler calls the cron routes), never under tests (they run
 * jobs themselves, at the times they choose), never with DATABASE_URL (any number of processes may
 * share a server, and the cron routes or the CLI run the jobs; a second scheduler per dev server
 * would run each job twice), and not when DEV_JOBS=off.
 */
export function shouldScheduleDevJobs(settings: Pick<Env, "NODE_ENV" | "DATABASE_URL" | "DEV_JOBS">): boolean {
  return settings.NODE_ENV === "development" && !settings.DATABASE_URL && settings.DEV_JOBS !== "off";
}

export interface DevScheduler {
  stop(): void;
}

/**
 * Runs each job once soon after start (`firstDelayMs`) and then every `everyMs`, one at a time: a
 * tick runs every job that is due, in the list's order, and the next tick is planned only after it
 * has finished, so two runs never overlap. A job that fails is logged and tried at its next turn.
 */
export function startDevScheduler(
  options: { db?: () => Db; jobs?: readonly ScheduledJob[]; firstDelayMs?: number; tickMs?: number; clock?: () => Date } = {},
): DevScheduler {
  const jobs = options.jobs ?? DEV_JOBS;
  const clock = options.clock ?? (() => new Date());
  const db = options.db ?? getDb;
  const tickMs = options.tickMs ?? 15_000;
  const start = clock().getTime() + (options.firstDelayMs ?? 10_000);
  const nextAt = new Map(jobs.map((j) => [j.name, start]));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const tick = async () => {
    for (const job of jobs) {
      if (stopped) return;
      const now = clock();
      if (now.getTime() < nextAt.get(job.name)!) continue;
      nextAt.set(job.name, now.getTime() + job.everyMs);
      try {
        const summary = await job.run(db(), now);
        log().info({ job: job.name, summary }, "dev scheduler: job finished");
      } catch (error) {
        log().error({ err: error, job: job.name }, "dev scheduler: job failed");
      }
    }
    if (!stopped) plan();
  };
  const plan = () => {
    timer = setTimeout(() => void tick(), Math.max(0, Math.min(tickMs, Math.min(...nextAt.values()) - clock().getTime())));
    timer.unref?.();
  };
  plan();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

let started: DevScheduler | undefined;

/** Called by instrumentation.ts: starts the scheduler once, if this process should (see above). */
export function startDevJobsIfEmbedded(): void {
  if (started || !shouldScheduleDevJobs(env())) return;
  started = startDevScheduler();
  log().info(
    { jobs: DEV_JOBS.map((j) => `${j.name} every ${j.everyMs / MINUTE} min`) },
    "dev scheduler: running the periodic jobs in this process (embedded database)",
  );
}
