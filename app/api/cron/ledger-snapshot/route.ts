import { cronRoute } from "@/lib/http/cron-route";
import { takeLedgerSnapshot } from "@/lib/loyalty/ledger-snapshot";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = cronRoute("ledger-snapshot", (db, now) => takeLedgerSnapshot(db, { now }));
