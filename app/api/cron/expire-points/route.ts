import { cronRoute } from "@/lib/http/cron-route";
import { expirePoints } from "@/lib/loyalty/expiry";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("expire-points", (db, now) => expirePoints(db, { now }));
