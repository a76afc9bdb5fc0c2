import { cronRoute } from "@/lib/http/cron-route";
import { otherMethods } from "@/lib/http/methods";
import { expireHolds } from "@/lib/loyalty/jobs/expire-holds";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("expire-holds", (db, now) => expireHolds(db, { now }));

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
