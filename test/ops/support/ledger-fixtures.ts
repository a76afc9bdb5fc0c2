import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { members, pointBalances, pointTransactions } from "@/db/schema";

let seq = 0;

/** A member with an empty balance row, as ensureMember leaves it. */
export async function insertMember(db: Db, externalId: string, email?: string): Promise<number> {
  const [member] = await db.insert(members).values({ externalId, email }).returning({ id: members.id });
  await db.insert(pointBalances).values({ memberId: member!.id });
  return member!.id;
}

/**
 * A purchase earn lot written straight into the ledger (and its balance), for jobs that only read
 * the ledger. Keeps available_points = SUM(amount) so the ledger stays consistent.
 */
export async function insertPurchase(
  db: Db,
  memberId: number,
  input: { spendCents: number; occurredAt: Date; points?: number; expiresAt?: Date; remaining?: number },
): Promise<number> {
  const points = input.points ?? Math.max(1, Math.floor(input.spendCents / 100));
  const expiresAt =
    input.expiresAt ??
    new Date(
      Date.UTC(
        input.occurredAt.getUTCFullYear() + 1,
        input.occurredAt.getUTCMonth(),
        input.occurredAt.getUTCDate(),
        input.occurredAt.getUTCHours(),
        input.occurredAt.getUTCMinutes(),
      ),
    );
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(pointTransactions)
      .values({
        memberId,
        type: "earn",
        amount: points,
        remaining: input.remaining ?? points,
        referenceType: "purchase",
        referenceId: `fixture-${process.pid}-${seq++}`,
        spendAmount: input.spendCents,
        occurredAt: input.occurredAt,
        expiresAt,
        createdBy: "test",
      })
      .returning({ id: pointTransactions.id });
    await tx.execute(
      sql`UPDATE point_balances SET available_points = available_points + ${points}, total_earned = total_earned + ${points} WHERE member_id = ${memberId}`,
    );
    return row!.id;
  });
}

export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);
export const daysAfter = (now: Date, days: number) => new Date(now.getTime() + days * 86_400_000);
