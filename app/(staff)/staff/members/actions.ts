"use server";

import { revalidatePath } from "next/cache";
import { getDb } from "@/db/client";
import { approveAdjustment, rejectAdjustment, requestAdjustment } from "@/lib/loyalty/adjustments/adjustment-requests";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { reverseMemberTransaction } from "@/lib/loyalty/members/support-console";
import { approvalReason } from "@/components/staff/approval-reason";
import { points, signedPoints } from "@/components/staff/format";
import type { ApprovalPending } from "@/lib/loyalty/adjustments/queue-for-approval";
import { actionUser } from "../staff-session";
import { requireId } from "@/lib/loyalty/input/input-bounds";

function pendingMessage(outcome: ApprovalPending): string {
  return `${approvalReason(outcome.rule, outcome.need)}: request #${outcome.requestId} is waiting for an admin's approval.`;
}

function refresh(form: FormData) {
  const externalId = String(form.get("externalId") ?? "");
  if (externalId) revalidatePath(`/staff/members/${encodeURIComponent(externalId)}`);
  revalidatePath("/staff");
}

export async function adjustPointsAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(await actionUser(), values, async (actor) => {
    const { externalId: _externalId, ...input } = values;
    void _externalId;
    const outcome = await requestAdjustment(getDb(), actor, input);
    refresh(form);
    if (outcome.status === "pending") return pendingMessage(outcome);
    return outcome.duplicate
      ? `This reference was already posted (transaction #${outcome.transactionId}); nothing new was written.`
      : `Posted ${signedPoints(outcome.points)} points. Balance now ${points(outcome.availablePoints)}.`;
  });
}

export async function reverseTransactionAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  return runStaffForm(await actionUser(), values, async (actor) => {
    const result = await reverseMemberTransaction(getDb(), actor, {
      memberId: requireId(values.memberId, "memberId"),
      transactionId: requireId(values.transactionId, "transactionId"),
      reason: values.reason ?? "",
    });
    refresh(form);
    if (result.status === "pending") return pendingMessage(result);
    return `Reversed transaction #${result.reversedTransactionId}: ${signedPoints(result.points)} points.`;
  });
}

export async function approveAdjustmentAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  return runStaffForm(await actionUser(), formValues(form), async (actor) => {
    const { adjustment } = await approveAdjustment(getDb(), actor, requireId(form.get("requestId"), "requestId"));
    refresh(form);
    return `Approved and posted (${signedPoints(adjustment.points)}).`;
  });
}

export async function rejectAdjustmentAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  return runStaffForm(await actionUser(), formValues(form), async (actor) => {
    await rejectAdjustment(getDb(), actor, requireId(form.get("requestId"), "requestId"), String(form.get("reason") || "Rejected by an admin"));
    refresh(form);
    return "Rejected.";
  });
}
