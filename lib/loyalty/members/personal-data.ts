import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { members, users } from "@/db/schema";
import { LoyaltyError } from "../errors";
import { ERASED, mentions, type Replacement } from "../rules/redaction";

/**
 * A member's personal values as erasure replaces them (docs/privacy.md): emails wherever they
 * occur; names and the external id only as whole words (an external id "42" must not touch
 * "1425", a name "Al" not "Alert"). `tombstone` replaces the external id.
 */
export function personalReplacements(
  person: { externalId: string; emails: (string | null | undefined)[]; names: (string | null | undefined)[] },
  tombstone: string,
): Replacement[] {
  const emails = [...new Set(person.emails.filter((e): e is string => !!e && e.trim().length > 0).map((e) => e.toLowerCase()))];
  const names = [...new Set(person.names.filter((n): n is string => !!n && n.trim().length > 0))];
  return [
    ...emails.map((value) => ({ value, by: ERASED })),
    ...names.map((value) => ({ value, by: ERASED, match: "token" as const })),
    { value: person.externalId, by: tombstone, match: "token" as const },
  ];
}

/**
 * Text kept for good (a ledger row's description, which the hash chain makes permanent; an
 * erasure's reason) must not carry the member's name, email or external id: erasure could not
 * remove it later. Refused as validation_failed on `field`.
 */
export async function refusePersonalData(ex: Executor, memberId: number, text: string, field = "reason"): Promise<void> {
  const [m] = await ex
    .select({ externalId: members.externalId, email: members.email, name: members.name, erasedAt: members.erasedAt })
    .from(members)
    .where(eq(members.id, memberId));
  if (!m || m.erasedAt) return;
  const account = await ex.select({ email: users.email, name: users.name }).from(users).where(eq(users.memberId, memberId));
  const replacements = personalReplacements(
    { externalId: m.externalId, emails: [m.email, ...account.map((a) => a.email)], names: [m.name, ...account.map((a) => a.name)] },
    "",
  );
  if (mentions(text, replacements)) {
    const message = "Must not contain the member's name, email or external id (it is kept for good; see docs/privacy.md).";
    throw new LoyaltyError("validation_failed", `${field}: ${message}`, { field, details: { fieldErrors: { [field]: [message] } } });
  }
}
