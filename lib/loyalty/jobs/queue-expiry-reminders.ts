import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

/** Reminders go out this many days before points expire. */
export const REMINDER_THRESHOLD_DAYS = [30, 7, 1] as const;

const DAY_MS = 86_400_000;
const EMAIL_BATCH = 50;

export interface ReminderWindow {
  thresholdDays: number;
  /** The UTC day the lots expire on, YYYY-MM-DD. */
  expiresOn: string;
  from: Date;
  to: Date;
}

/** For each threshold, the UTC day `threshold` days after now's UTC day: lots expiring within it. */
export function reminderWindows(now: Date): ReminderWindow[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return REMINDER_THRESHOLD_DAYS.map((thresholdDays) => {
    const from = new Date(today + thresholdDays * DAY_MS);
    return { thresholdDays, expiresOn: from.toISOString().slice(0, 10), from, to: new Date(from.getTime() + DAY_MS) };
  });
}

/** What one reminder email says; the edge (lib/mail/expiry-reminder-job.ts) composes and sends it. */
export interface ExpiryReminderEmail {
  to: string;
  name: string | null;
  points: number;
  /** YYYY-MM-DD, UTC. */
  expiresOn: string;
  thresholdDays: number;
}

/** What the job needs from email: send one reminder, or throw (it is then left unsent for a later run). */
export interface ExpiryReminderMailer {
  sendReminder(reminder: ExpiryReminderEmail): Promise<void>;
}

export interface ExpiryReminderResult {
  queued: number;
  emailed: number;
  emailFailed: number;
}

/**
 * Nightly job: one inbox reminder per member, threshold and expiry day for the open lots
 * (remaining > 0) expiring 30, 7 and 1 days from now. Set-based and idempotent: the unique
 * notifications_reminder_uq makes a second run queue nothing. With a `mailer` (the cron route and the
 * CLI pass the configured one: lib/mail/expiry-reminder-job.ts), unsent reminders still ahead of their
 * expiry day are emailed; without one they stay in the inbox only.
 */
export async function queueExpiryReminders(db: Db, options: { now: Date; mailer?: ExpiryReminderMailer | null }): Promise<ExpiryReminderResult> {
  const { now } = options;
  const windows = reminderWindows(now);
  // One range scan of point_transactions_open_lots_expiry_idx per window (UNION ALL of constants:
  // joined to a VALUES list instead, the planner misjudged the ranges and scanned the whole ledger).
  const perWindow = sql.join(
    windows.map(
      (w) => sql`SELECT member_id, ${w.thresholdDays}::smallint AS threshold_days, ${w.expiresOn}::date AS expires_on,
                        sum(remaining) AS points
                 FROM point_transactions
                 WHERE remaining > 0
                   AND expires_at >= ${w.from.toISOString()}::timestamptz
                   AND expires_at < ${w.to.toISOString()}::timestamptz
                 GROUP BY member_id`,
    ),
    sql` UNION ALL `,
  );
  const queued = await queryRows<{ id: string | number }>(
    db,
    sql`INSERT INTO notifications (member_id, kind, threshold_days, expires_on, points, created_at)
        SELECT member_id, 'expiry_reminder', threshold_days, expires_on, points, ${now.toISOString()}::timestamptz
        FROM (${perWindow}) due
        -- An erased member has no inbox any more (docs/privacy.md).
        WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = due.member_id AND m.erased_at IS NOT NULL)
        ON CONFLICT ON CONSTRAINT notifications_reminder_uq DO NOTHING
        RETURNING id`,
  );

  if (!options.mailer) return { queued: queued.length, emailed: 0, emailFailed: 0 };
  return { queued: queued.length, ...(await emailReminders(db, options.mailer, now)) };
}

interface ClaimedReminder {
  id: string | number;
  threshold_days: number;
  expires_on: string;
  points: string | number;
  email: string;
  name: string | null;
}

/**
 * Claims unsent reminders (marking emailed_at first, SKIP LOCKED so two runs never send the same
 * one), sends them, and releases the ones SMTP refused so a later run retries them.
 */
async function emailReminders(db: Db, mailer: ExpiryReminderMailer, now: Date): Promise<{ emailed: number; emailFailed: number }> {
  const today = now.toISOString().slice(0, 10);
  let emailed = 0;
  let emailFailed = 0;
  let cursor = 0;
  for (;;) {
    const claimed = await queryRows<ClaimedReminder>(
      db,
      sql`UPDATE notifications n SET emailed_at = ${now.toISOString()}::timestamptz
          FROM members m
          WHERE m.id = n.member_id
            AND n.id IN (
              SELECT n2.id FROM notifications n2 JOIN members m2 ON m2.id = n2.member_id
              WHERE n2.emailed_at IS NULL AND n2.kind = 'expiry_reminder'
                AND n2.expires_on >= ${today}::date AND m2.email IS NOT NULL AND n2.id > ${cursor}
              ORDER BY n2.id LIMIT ${EMAIL_BATCH}
              FOR UPDATE OF n2 SKIP LOCKED)
          RETURNING n.id, n.threshold_days, n.expires_on::text AS expires_on, n.points, m.email, m.name`,
    );
    if (claimed.length === 0) break;
    const failed: number[] = [];
    for (const reminder of claimed) {
      try {
        await mailer.sendReminder({
          to: reminder.email,
          name: reminder.name,
          points: Number(reminder.points),
          expiresOn: reminder.expires_on,
          thresholdDays: Number(reminder.threshold_days),
        });
        emailed++;
      } catch {
        failed.push(Number(reminder.id));
      }
    }
    if (failed.length > 0) {
      emailFailed += failed.length;
      await db.execute(sql`UPDATE notifications SET emailed_at = NULL WHERE id = ANY(${`{${failed.join(",")}}`}::bigint[])`);
    }
    cursor = Math.max(...claimed.map((r) => Number(r.id)));
    if (claimed.length < EMAIL_BATCH) break;
  }
  return { emailed, emailFailed };
}
