import type { Executor } from "@/db/client";
import { getMemberByExternalId } from "@/db/queries/members";
import { writeAudit } from "./audit-log";
import type { Actor } from "../access/staff-permissions";

/**
 * Exports of personal data and of the figures behind them are on the audit log (issue 10): who
 * exported what (the table and its parameters; for a statement, the member). Written once the
 * export was authorized and is about to be sent.
 */
export async function auditExport(ex: Executor, actor: Actor, table: string, params: Record<string, string | undefined>): Promise<void> {
  const kept = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === "string"));
  const member = table === "statement" && kept.member ? await getMemberByExternalId(ex, kept.member) : undefined;
  await writeAudit(ex, {
    actor,
    action: `export.${table}`,
    targetType: member ? "member" : "report",
    targetId: member ? member.externalId : table,
    memberId: member?.id ?? null,
    after: { format: "csv", ...kept },
  });
}
