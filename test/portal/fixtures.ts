import type { Db } from "@/db/client";
import { userRoles, users, type Role } from "@/db/schema";
import { loadSessionUser, type SessionUser } from "@/lib/auth/session-user";
import { recordEvent } from "@/lib/loyalty/accrual/record-events";
import { ensureMember } from "@/lib/loyalty/members/ensure-member";

let seq = 0;

/** A user linked to a new member, with the given roles, as the session would load them. */
export async function createMemberUser(db: Db, roles: Role[] = ["member"]): Promise<SessionUser & { externalId: string }> {
  const n = ++seq;
  const externalId = `portal-test-${n}-${Date.now()}`;
  const { member } = await ensureMember(db, { externalId, email: `${externalId}@example.com`, name: `Member ${n}` });
  const [user] = await db
    .insert(users)
    .values({ email: `${externalId}@example.com`, name: `Member ${n}`, memberId: member.id })
    .returning({ id: users.id });
  if (roles.length) await db.insert(userRoles).values(roles.map((role) => ({ userId: user!.id, role })));
  return { ...(await loadSessionUser(db, user!.id))!, externalId };
}

/** Earns points for a purchase of `cents` (1 point per currency unit). */
export async function earn(db: Db, externalId: string, cents: number, referenceId = `order-${++seq}-${Date.now()}`) {
  return recordEvent(db, { type: "purchase", memberExternalId: externalId, referenceId, amountCents: cents }, { actor: "test" });
}
