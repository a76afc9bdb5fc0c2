import { cronRoute } from "@/lib/http/cron-route";
import { queueExpiryReminders } from "@/lib/loyalty/expiry-reminders";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("expiry-reminders", (db, now) => queueExpiryReminders(db, { now }));
