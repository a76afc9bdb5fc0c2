import { cronRoute } from "@/lib/http/cron-route";
import { recalculateTiers } from "@/lib/loyalty/jobs/recalculate-tiers";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("recalculate-tiers", (db, now) => recalculateTiers(db, { now }));

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
