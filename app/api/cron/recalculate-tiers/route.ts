import { cronRoute } from "@/lib/http/cron-route";
import { recalculateTiers } from "@/lib/loyalty/tier-recalculation";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("recalculate-tiers", (db, now) => recalculateTiers(db, { now }));
