import { z } from "zod";
import { multiLineText } from "@/lib/loyalty/input/input-bounds";
import { MAX_REASON_LENGTH } from "@/lib/loyalty/adjustments/check-reason";

/** The request and response shapes of the privacy operations (docs/privacy.md), documented in the OpenAPI document. */

export const erasureRequestSchema = z
  .object({
    reason: multiLineText(MAX_REASON_LENGTH).meta({
      description: "Why the member is erased (kept on the audit log for good): must not contain the member's name, email or external id",
      example: "Erasure request, ticket 8812",
    }),
  })
  .strict()
  .meta({ id: "ErasureRequest" });

export const erasureResultSchema = z
  .object({
    memberId: z.number().int(),
    externalId: z.string().meta({ description: "The tombstone now in place of the external id: erased:<memberId>", example: "erased:42" }),
    erasedAt: z.iso.datetime({ offset: true }),
    alreadyErased: z.boolean().meta({ description: "true when the member had been erased before: this request changed nothing" }),
    auditEntriesRedacted: z.number().int(),
    sessionsEnded: z.number().int(),
    holdsVoided: z.number().int(),
    notificationsDeleted: z.number().int(),
    balance: z.number().int().meta({ description: "The balance the books keep under the member id: unchanged by the erasure" }),
  })
  .meta({ id: "ErasureResult" });

const row = z.record(z.string(), z.unknown());

export const memberExportSchema = z
  .object({
    format: z.literal("loyalty-member-export/1"),
    exportedAt: z.iso.datetime({ offset: true }),
    member: row,
    account: row.nullable(),
    balance: row.nullable(),
    transactions: z.array(row).meta({ description: "Every ledger row of the member, oldest first" }),
    lots: z.array(row).meta({ description: "Open lots: points not yet used, with their expiry" }),
    holds: z.array(row),
    couponCodes: z.array(row),
    notifications: z.array(row),
    checkIns: z.array(row),
    tierHistory: z.array(row),
    auditEntries: z.array(row).meta({ description: "Audit entries about the member or its account" }),
  })
  .meta({ id: "MemberExport" });
