"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { requireId } from "@/lib/loyalty/input/input-bounds";
import { eraseMember } from "@/lib/loyalty/members/erase-member";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { erasedIdDigest } from "@/lib/privacy/erased-id-digest";
import { actionUser } from "../staff-session";

/**
 * Erases a member (admins; docs/privacy.md): a reason and an explicit confirmation, no second
 * person (it moves no points). On success the page of the tombstone is shown.
 */
export async function eraseMemberAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  let tombstone: string | null = null;
  const state = await runStaffForm(await actionUser(), values, async (actor) => {
    const memberId = requireId(values.memberId, "memberId");
    const reason = values.reason ?? "";
    if (values.confirm !== "on") {
      // The form's message (a checkbox shows no field error of its own).
      throw new LoyaltyError("unprocessable", "Tick the box to confirm: erasure cannot be undone.", { field: "confirm" });
    }
    const result = await eraseMember(getDb(), actor, { memberId, reason }, { digest: erasedIdDigest });
    tombstone = result.externalId;
    revalidatePath("/staff/members");
    return result.alreadyErased
      ? `This member was already erased on ${result.erasedAt.toISOString().slice(0, 10)}; nothing changed.`
      : `Erased: ${result.auditEntriesRedacted} audit entries redacted, ${result.sessionsEnded} sessions ended, ${result.holdsVoided} holds voided.`;
  });
  if (state.status === "success" && tombstone) redirect(`/staff/members/${encodeURIComponent(tombstone)}?erased=1`);
  return state;
}
