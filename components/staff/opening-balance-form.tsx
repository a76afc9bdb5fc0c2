"use client";

import { ActionForm, useStaffFormState } from "@/components/staff/action-form";
import { StaffField, StaffTextarea } from "@/components/staff/staff-field";
import { Table, Td } from "@/components/staff/table";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ImportFormState, ImportReportView } from "@/lib/loyalty/accrual/opening-balance-view";
import type { StaffFormState } from "@/lib/forms/staff-form-state";

/** The upload form of /staff/import and, once the action answered, its report. */
export function OpeningBalanceForm({ action }: { action: (state: ImportFormState, form: FormData) => Promise<ImportFormState> }) {
  return (
    <ActionForm action={action} ariaLabel="Import opening balances" className="space-y-4">
      <label className="block text-sm font-medium text-slate-800">
        CSV file
        <input type="file" name="file" accept=".csv,text/csv,text/plain" className="mt-1 block text-sm" />
      </label>
      <StaffTextarea label="Or paste its lines (header first)" name="csv" rows={4} />
      <StaffField label="Reason (for the audit log)" name="reason" required />
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input type="checkbox" name="dryRun" defaultChecked className="h-4 w-4" />
        Dry run: check the file and show what would be imported, write nothing
      </label>
      <SubmitButton pendingLabel="Importing…">Import</SubmitButton>
      <ReportView />
    </ActionForm>
  );
}

function reportOf(state: StaffFormState): ImportReportView | null {
  return state.status === "success" && "report" in state ? (state as { report: ImportReportView }).report : null;
}

function ReportView() {
  const report = reportOf(useStaffFormState());
  if (!report) return null;
  const figures: [string, number][] = [
    ["Rows read", report.rows],
    [report.dryRun ? "Would be imported" : "Imported", report.accepted],
    ["of which already expired", report.expired],
    ["Points", report.points],
    ["of which expired", report.expiredPoints],
    [report.dryRun ? "Members to create" : "Members created", report.membersCreated],
    ["Duplicates (already imported)", report.duplicates],
    ["Conflicts", report.conflicts],
    ["Rejected", report.rejected],
  ];
  return (
    <div className="space-y-3 pt-2">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-3" aria-label="Import figures">
        {figures.map(([label, value]) => (
          <div key={label} className="flex justify-between gap-3">
            <dt className="text-slate-600">{label}</dt>
            <dd className="font-semibold text-slate-900 tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      <Table caption="Lines not imported" head={["Line", "Outcome", "Field", "Reason"]} empty="Every line was imported.">
        {report.lines.map((l) => (
          <tr key={`${l.line}-${l.kind}`}>
            <Td numeric>{l.line}</Td>
            <Td>{l.kind === "conflict" && l.code ? `conflict (${l.code})` : l.kind}</Td>
            <Td>{l.field ?? ""}</Td>
            <Td>{l.message}</Td>
          </tr>
        ))}
      </Table>
      {report.more > 0 ? <p className="text-sm text-slate-600">… and {report.more} more lines (the CLI&apos;s --report lists every line).</p> : null}
    </div>
  );
}
