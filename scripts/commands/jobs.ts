import type { Db } from "@/db/client";
import { setCacheStore } from "@/lib/cache/cache";
import { startCacheInvalidation } from "@/lib/cache/invalidation";
import { expectSubcommand, parseCommandArgs } from "../support/args";
import { ScriptError, withDatabase } from "../support/open-database";

const USAGE = "npm run cli -- jobs run expire|tiers|snapshot|reminders|vest|holds|webhooks-prune [--now ISO-8601]";

/** The same job functions the /api/cron/* routes call. */
const JOBS: Record<string, (db: Db, now: Date) => Promise<unknown>> = {
  expire: async (db, now) => (await import("@/lib/loyalty/jobs/expire-points")).expirePoints(db, { now }),
  tiers: async (db, now) =>
    (await import("@/lib/loyalty/jobs/recalculate-tiers")).recalculateTiers(db, {
      now,
      onProgress: (p) => process.stderr.write(`… batch ${p.batches}: ${p.membersChecked} members checked\n`),
    }),
  snapshot: async (db, now) => (await import("@/lib/loyalty/jobs/take-ledger-snapshot")).takeLedgerSnapshot(db, { now }),
  reminders: async (db, now) => (await import("@/lib/mail/expiry-reminder-job")).runExpiryReminders(db, { now }),
  vest: async (db, now) => (await import("@/lib/loyalty/jobs/vest-points")).vestPoints(db, { now }),
  holds: async (db, now) => (await import("@/lib/loyalty/jobs/expire-holds")).expireHolds(db, { now }),
  "webhooks-prune": async (db, now) => (await import("@/lib/webhooks/prune")).pruneWebhooks(db, { now }),
};

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { now: { type: "string" } }, USAGE);
  expectSubcommand(positionals, ["run"], USAGE);
  const job = JOBS[positionals[1] ?? ""];
  if (!job || positionals.length > 2) throw new ScriptError(`Usage: ${USAGE}`);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) throw new ScriptError(`--now is not a date: ${values.now}`);

  // The jobs change balances and tiers: the web's cached summaries must drop them now, not in 30 s.
  await startCacheInvalidation();
  const started = Date.now();
  const summary = await withDatabase(({ db }) => job(db, now)).finally(async () => {
    await setCacheStore(undefined)?.close();
  });
  console.log(JSON.stringify({ job: positionals[1], now: now.toISOString(), ...(summary as object), ms: Date.now() - started }));
  return 0;
}
