import { OpeningBalanceForm } from "@/components/staff/opening-balance-form";
import { PageHeader } from "@/components/staff/page-header";
import { Card } from "@/components/ui/card";
import { requireStaff } from "../staff-session";
import { importOpeningBalancesAction } from "./actions";

export const metadata = { title: "Import opening balances" };
export const dynamic = "force-dynamic";

export default async function ImportPage() {
  await requireStaff("ledger:import");
  return (
    <>
      <PageHeader
        title="Import opening balances"
        description="Points members bring from a former programme, as lots with their original dates. Rows already past their expiry are booked as expired. Re-importing a file is safe: lines already imported are answered as duplicates. Each import is in the audit log with its reason."
      />
      <Card title="CSV file">
        <p className="mb-3 text-sm text-slate-600">
          Columns <code>externalId,points,earnedAt,expiresAt,reference</code> (expiresAt may be empty: the programme&apos;s expiry from earnedAt). Dates as{" "}
          <code>2024-03-01</code> or <code>2024-03-01T10:00:00Z</code>. Members are created when new. Up to 1 MB here; larger files with{" "}
          <code>npm run cli -- ledger import FILE.csv</code>.
        </p>
        <OpeningBalanceForm action={importOpeningBalancesAction} />
      </Card>
    </>
  );
}
