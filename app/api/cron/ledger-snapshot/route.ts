import { cronRoute } from "@/lib/http/cron-route";
import { takeLedgerSnapshot } from "@/lib/loyalty/jobs/take-ledger-snapshot";
import { otherMethods } from "@/lib/http/methods";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("ledger-snapshot", (db, now) => takeLedgerSnapshot(db, { now }));

// Other methods answer 405 method_not_allowed (JSON, with Allow), not Next.js's empty 405.
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods("GET");
