"use server";

import { Readable } from "node:stream";
import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { importOpeningBalances } from "@/lib/loyalty/accrual/import-opening-balances";
import { CONSOLE_IMPORT_MAX_BYTES, importReportView, importSummary, type ImportFormState } from "@/lib/loyalty/accrual/opening-balance-view";
import { formValues, runStaffForm } from "@/lib/forms/staff-form";
import { actionUser } from "../staff-session";

/** Opening balances from an uploaded CSV (or pasted text), admins only (the service checks the role). */
export async function importOpeningBalancesAction(_: ImportFormState, form: FormData): Promise<ImportFormState> {
  const values = formValues(form);
  let view: ReturnType<typeof importReportView> | undefined;
  const state = await runStaffForm(await actionUser(), values, async (actor) => {
    const file = form.get("file");
    const text = file instanceof File && file.size > 0 ? (file.size > CONSOLE_IMPORT_MAX_BYTES ? null : await file.text()) : (values.csv ?? "");
    if (text === null) {
      throw new LoyaltyError("validation_failed", "The console takes files up to 1 MB; import larger ones with npm run cli -- ledger import.", {
        field: "file",
      });
    }
    if (text.trim() === "") throw new LoyaltyError("validation_failed", "Choose a CSV file or paste its lines.", { field: "file" });
    const report = await importOpeningBalances(getDb(), Readable.from([text]), {
      actor,
      reason: values.reason ?? "",
      source: file instanceof File && file.size > 0 ? file.name.slice(0, 200) : "pasted lines",
      dryRun: values.dryRun === "on",
    });
    if (report.refused) throw new LoyaltyError("validation_failed", `Nothing imported: ${report.refused}.`);
    view = importReportView(report);
    if (!report.dryRun) revalidatePath("/staff/members");
    return importSummary(report);
  });
  return state.status === "success" && view ? { ...state, report: view } : state;
}
