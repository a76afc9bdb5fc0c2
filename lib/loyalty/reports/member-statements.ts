import { and, asc, eq, gt } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { getMemberByExternalId } from "@/db/queries/members";
import { pointTransactions, type Member } from "@/db/schema";
import { LoyaltyError } from "../errors";
import { authorize, type Actor } from "../access/staff-permissions";

export interface StatementLine {
  id: number;
  bookedAt: string;
  occurredAt: string;
  type: string;
  reference: string;
  description: string;
  multiplier: number;
  points: number;
  /** Balance after this line: the running SUM(amount) of the ledger. */
  balance: number;
  expiresAt: string;
}

const PAGE = 1000;

/** The member whose statement staff (support, or admin for finance) may export. */
export async function statementMember(ex: Executor, actor: Actor, externalId: string): Promise<Member> {
  authorize(actor, "members:support");
  const member = await getMemberByExternalId(ex, externalId);
  if (!member) throw new LoyaltyError("member_not_found", `No member ${externalId}`);
  return member;
}

/**
 * A member's whole ledger, oldest first, with the running balance; read in keyset pages so an
 * export of any length holds one page in memory at a time.
 */
export async function* statementLines(ex: Executor, memberId: number): AsyncGenerator<StatementLine> {
  let cursor = 0;
  let balance = 0;
  for (;;) {
    const rows = await ex
      .select()
      .from(pointTransactions)
      .where(and(eq(pointTransactions.memberId, memberId), gt(pointTransactions.id, cursor)))
      .orderBy(asc(pointTransactions.id))
      .limit(PAGE);
    for (const row of rows) {
      balance += row.amount;
      yield {
        id: row.id,
        bookedAt: row.createdAt.toISOString(),
        occurredAt: row.occurredAt.toISOString(),
        type: row.type,
        reference: `${row.referenceType}/${row.referenceId}`,
        description: row.description ?? "",
        multiplier: row.multiplier,
        points: row.amount,
        balance,
        expiresAt: row.expiresAt?.toISOString() ?? "",
      };
    }
    if (rows.length < PAGE) return;
    cursor = rows[rows.length - 1]!.id;
  }
}
