import type { Db } from "@/db/client";
import { queueExpiryReminders, type ExpiryReminderResult } from "@/lib/loyalty/jobs/queue-expiry-reminders";
import { expiryReminderEmail } from "./expiry-reminder-email";
import { mailerFromEnv, type Mailer } from "./mailer";

/**
 * The expiry-reminder job as the cron route and the CLI run it: the domain queues the inbox
 * reminders and hands each email to send here, composed from the template and sent through `mailer`,
 * by default the one SMTP_URL names (none configured: reminders stay in the inbox only). The domain
 * takes no lib/mail Mailer itself: passing one to queueExpiryReminders does not type-check.
 */
export async function runExpiryReminders(db: Db, options: { now: Date; mailer?: Mailer | null }): Promise<ExpiryReminderResult> {
  const mailer = options.mailer === undefined ? mailerFromEnv() : options.mailer;
  try {
    return await queueExpiryReminders(db, {
      now: options.now,
      mailer: mailer ? { sendReminder: (reminder) => mailer.send(expiryReminderEmail(reminder)) } : null,
    });
  } finally {
    if (options.mailer === undefined) mailer?.close();
  }
}
