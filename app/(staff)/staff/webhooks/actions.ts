"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/db/client";
import { LoyaltyError } from "@/lib/loyalty/errors";
import { formValues, runStaffForm, type StaffFormState } from "@/lib/forms/staff-form";
import { redeliverWebhook } from "@/lib/webhooks/delivery-log";
import { createWebhookEndpointAsStaff } from "@/lib/webhooks/endpoints";
import { actionUser } from "../staff-session";

const idSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Redeliver one webhook: the session is read here, the admin role checked by the service (webhooks:manage), audited. */
export async function redeliverWebhookAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  const state = await runStaffForm(await actionUser(), values, async (actor) => {
    const id = idSchema.safeParse(values.id);
    if (!id.success) throw new LoyaltyError("validation_failed", "Unknown delivery", { field: "id" });
    await redeliverWebhook(getDb(), actor, id.data);
    return "Queued for delivery.";
  });
  if (state.status === "success") revalidatePath("/staff/webhooks");
  return state;
}

/**
 * Add an endpoint (role admin, checked by the service; audited): every event type, or those ticked.
 * A private, loopback or metadata target is refused as the URL field's error. The secret is in the
 * success message, shown once.
 */
export async function createWebhookEndpointAction(_: StaffFormState, form: FormData): Promise<StaffFormState> {
  const values = formValues(form);
  const types = form.getAll("eventTypes").map(String);
  const state = await runStaffForm(await actionUser(), values, async (actor) => {
    const created = await createWebhookEndpointAsStaff(getDb(), actor, { url: values.url ?? "", eventTypes: types.length ? types : null });
    return `Endpoint ${created.id} added. Its signing secret, shown this once: ${created.secret}`;
  });
  if (state.status === "success") revalidatePath("/staff/webhooks");
  return state;
}
