import type { StaffFormState } from "@/lib/forms/staff-form-state";
import type { ImportReport } from "./import-opening-balances";

/** The console reads uploads whole (a server action's body is at most 1 MB); bigger files go through the CLI. */
export const CONSOLE_IMPORT_MAX_BYTES = 1_000_000;
/** Lines the console lists under the figures. */
export const CONSOLE_IMPORT_LINES = 500;

/** What the console shows of a report: its plain, serialisable figures and the first lines not imported. */
export type ImportReportView = Omit<ImportReport, "run" | "linesTruncated"> & { more: number };

export type ImportFormState = StaffFormState | (Extract<StaffFormState, { status: "success" }> & { report: ImportReportView });

export function importReportView(report: ImportReport): ImportReportView {
  const { run: _run, lines, linesTruncated: _t, ...figures } = report;
  void _run;
  void _t;
  const listed = report.duplicates + report.conflicts + report.rejected;
  return { ...figures, lines: lines.slice(0, CONSOLE_IMPORT_LINES), more: Math.max(0, listed - CONSOLE_IMPORT_LINES) };
}

export function importSummary(report: ImportReport): string {
  if (report.refused) return `Nothing imported: ${report.refused}.`;
  const lots = `${report.accepted} of ${report.rows} rows (${report.points} points; ${report.expired} already expired, ${report.expiredPoints} points)`;
  const members = `${report.membersCreated} ${report.membersCreated === 1 ? "member" : "members"}`;
  return report.dryRun ? `Dry run, nothing written: ${lots} would be imported, ${members} to create.` : `Imported ${lots}; ${members} created.`;
}
